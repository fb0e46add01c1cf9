#!/usr/bin/env bash
# Make sure the browser tests (progress/tests/browser) have their browser: Debian's chromium and
# a CJK font (without one, screenshots of the Chinese pages show empty boxes).
#
# Usage: scripts/ensure_browser.sh        (scripts/run_tests.sh calls it before the test passes)
#
# - Does nothing when both are present (the usual case: it is cheap to call every time).
# - Otherwise installs them with apt-get (through `sudo -n` when not root); runs `apt-get update`
#   only when the first install attempt fails (stale package lists).
# - When it cannot install (no apt-get, no root and no passwordless sudo, no network): outside CI
#   it says so and exits 0 (the browser tests then skip with a message); with CI=true it exits 1.
# - Playwright's own browser download (`playwright install`) is never used: the tests launch the
#   chromium found here (CHROMIUM_PATH, default /usr/bin/chromium).
set -uo pipefail

CHROMIUM_PATH=${CHROMIUM_PATH:-/usr/bin/chromium}
PACKAGES=(chromium fonts-noto-cjk)

case "${CI:-}" in
    true | TRUE | True | 1 | yes) in_ci=1 ;;
    *) in_ci=0 ;;
esac

have_chromium() {
    [ -x "$CHROMIUM_PATH" ]
}

have_cjk_font() {
    if command -v fc-list >/dev/null 2>&1; then
        [ -n "$(fc-list ':lang=zh' family 2>/dev/null)" ]
    else
        compgen -G "/usr/share/fonts/opentype/noto/NotoSansCJK*" >/dev/null
    fi
}

missing() {
    local what=()
    have_chromium || what+=("chromium（$CHROMIUM_PATH）")
    have_cjk_font || what+=("中文字体（fonts-noto-cjk）")
    echo "${what[*]}"
}

give_up() {
    echo "==> 浏览器测试所需的 $(missing) 未安装，且无法自动安装：$1" >&2
    echo "    请手动安装：sudo apt-get install -y --no-install-recommends ${PACKAGES[*]}" >&2
    if [ "$in_ci" -eq 1 ]; then
        echo "    CI=true 时浏览器测试不能跳过，测试终止。" >&2
        exit 1
    fi
    echo "    本次将跳过浏览器测试（CI=true 时为错误）。" >&2
    exit 0
}

if [ -z "$(missing)" ]; then
    exit 0
fi

echo "==> 安装浏览器测试所需的软件包：${PACKAGES[*]}（缺少 $(missing)）"

if ! command -v apt-get >/dev/null 2>&1; then
    give_up "本机没有 apt-get（不是 Debian/Ubuntu）。也可把已安装的 chromium 路径写入环境变量 CHROMIUM_PATH。"
fi

if [ "$(id -u)" -eq 0 ]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
else
    give_up "当前用户不是 root，也不能免密码使用 sudo。"
fi

export DEBIAN_FRONTEND=noninteractive
install_packages() {
    "${as_root[@]}" apt-get install -y --no-install-recommends "${PACKAGES[@]}"
}

if ! install_packages; then
    echo "==> 安装失败，更新软件包列表（apt-get update）后重试"
    if ! "${as_root[@]}" apt-get update || ! install_packages; then
        give_up "apt-get 安装失败（见上面的输出；可能无法连接软件源）。"
    fi
fi

if [ -n "$(missing)" ]; then
    give_up "安装后仍缺少 $(missing)。"
fi
echo "==> 浏览器测试环境就绪：$("$CHROMIUM_PATH" --version 2>/dev/null | tail -n 1)"
