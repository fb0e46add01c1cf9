#!/usr/bin/env bash
# Make sure the print test of the meeting pack (exports/tests/test_print_pdf.py) and
# `python -m exports.print_check` have what they need: LibreOffice Calc (soffice) to convert the
# workbook to PDF, poppler's pdftoppm to render pages, a CJK font and Liberation Sans (Arial's
# metrics: the pack's column widths are in units of Arial's digit).
#
# Usage: scripts/ensure_libreoffice.sh     (scripts/run_tests.sh calls it before the test passes)
#
# - Does nothing and prints nothing when everything is present (cheap to call every time).
# - Otherwise installs the packages with apt-get (through `sudo -n` when not root), quietly: apt's
#   output goes to a log file that is shown only when the install fails; runs `apt-get update` only
#   when the first attempt fails (stale package lists).
# - When it cannot install: outside CI it says so and exits 0 (the print test then skips with a
#   message); with CI=true it exits 1 (the print test may not be skipped there).
set -uo pipefail

PACKAGES=(libreoffice-calc-nogui poppler-utils fonts-noto-cjk fonts-liberation2)

case "${CI:-}" in
    true | TRUE | True | 1 | yes) in_ci=1 ;;
    *) in_ci=0 ;;
esac

have_font() {
    command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list "$1" family 2>/dev/null)" ]
}

missing() {
    local what=()
    command -v soffice >/dev/null 2>&1 || what+=("LibreOffice（soffice）")
    command -v pdftoppm >/dev/null 2>&1 || what+=("pdftoppm（poppler-utils）")
    have_font ':lang=zh' || what+=("中文字体（fonts-noto-cjk）")
    have_font ':family=Liberation Sans' || what+=("Liberation Sans（fonts-liberation2）")
    echo "${what[*]}"
}

LOG=$(mktemp -t ensure-libreoffice.XXXXXX.log)
trap 'rm -f "$LOG"' EXIT

give_up() {
    echo "==> 会议材料打印检查所需的 $(missing) 未安装，且无法自动安装：$1" >&2
    if [ -s "$LOG" ]; then
        echo "    apt-get 的输出（最后 20 行）：" >&2
        tail -n 20 "$LOG" | sed 's/^/    | /' >&2
    fi
    echo "    请手动安装：sudo apt-get install -y --no-install-recommends ${PACKAGES[*]}" >&2
    if [ "$in_ci" -eq 1 ]; then
        echo "    CI=true 时打印检查不能跳过，测试终止。" >&2
        exit 1
    fi
    echo "    本次将跳过打印检查（CI=true 时为错误）。" >&2
    exit 0
}

if [ -z "$(missing)" ]; then
    exit 0
fi

echo "==> 安装会议材料打印检查所需的软件包（缺少 $(missing)），输出见失败时的日志"

if ! command -v apt-get >/dev/null 2>&1; then
    give_up "本机没有 apt-get（不是 Debian/Ubuntu）。"
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
    "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >>"$LOG" 2>&1
}

if ! install_packages; then
    if ! "${as_root[@]}" apt-get update -qq >>"$LOG" 2>&1 || ! install_packages; then
        give_up "apt-get 安装失败（可能无法连接软件源）。"
    fi
fi

if [ -n "$(missing)" ]; then
    give_up "安装后仍缺少 $(missing)。"
fi
echo "==> 打印检查环境就绪：$(soffice --version 2>/dev/null | head -n 1)"
