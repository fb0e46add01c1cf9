# Xingping Tracker: the two set-up commands are `make run` and `make test`.
# A fresh machine needs only python3 and make.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
ADDR ?= 127.0.0.1:8000
# Extra pytest arguments: make test ARGS="-k parser -x"
ARGS ?=

export PYTHON VENV

.PHONY: help run test lint clean reset-db venv dev-venv

help: ## 列出可用的命令
	@echo "兴平任务分工督办台账 —— 常用命令："
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'

venv:
	@bash scripts/ensure_venv.sh requirements.txt

dev-venv:
	@bash scripts/ensure_venv.sh requirements-dev.txt

run: venv ## 本机启动：建环境、生成 .env、迁移数据库、初始化数据与账号，然后在 http://127.0.0.1:8000/ 运行
	@$(PY) scripts/bootstrap_env.py
	$(PY) manage.py migrate --noinput
	$(PY) manage.py bootstrap
	$(PY) manage.py runserver $(ADDR)

test: dev-venv ## 运行全部测试：SQLite 一遍，PostgreSQL 可用（或 CI=true）时再跑一遍
	@bash scripts/run_tests.sh $(ARGS)

lint: dev-venv ## 代码检查（ruff；导入分层 lint-imports）
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache --no-logo

clean: ## 删除缓存（不删除虚拟环境和数据库）
	rm -rf .pytest_cache .ruff_cache .hypothesis
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +

reset-db: ## 删除本机 SQLite 数据库（db.sqlite3、test.sqlite3），下次 make run 重新建库
	rm -f db.sqlite3 db.sqlite3-wal db.sqlite3-shm db.sqlite3-journal test.sqlite3 test.sqlite3-wal test.sqlite3-shm test.sqlite3-journal
