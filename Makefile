# Entry points. Every target installs the missing Debian packages of packages.txt first.
#   make run    build Release and run the demo (30-day backfill + yesterday) on SQLite
#   make test   build Debug with ASan+UBSan and run every test with ctest
#   make fuzz   build the libFuzzer targets (clang) and fuzz each parser FUZZ_SECONDS (60)
#   make bench  build Release and run the benchmarks (figures: docs/performance.md);
#               BENCH="aws micro" runs only those sections (pipeline prometheus aws micro)
#   make eval   detection on the labelled fleet (../shared/tools/labelled-fleet), SEEDS="11 12 13":
#               generate, backfill a real Prometheus, run --source live over every day, backtest
JOBS    ?= 2
RELEASE := build/release
DEBUG   := build/debug
CMAKE_GEN := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")

.PHONY: all deps release debug run test fuzz bench eval format clean

all: release

deps:
	@./scripts/install-deps.sh

$(RELEASE)/CMakeCache.txt: | deps
	cmake -S . -B $(RELEASE) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Release

$(DEBUG)/CMakeCache.txt: | deps
	cmake -S . -B $(DEBUG) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug -DIM_SANITIZE=ON

release: deps $(RELEASE)/CMakeCache.txt
	cmake --build $(RELEASE) -j $(JOBS)

debug: deps $(DEBUG)/CMakeCache.txt
	cmake --build $(DEBUG) -j $(JOBS)

run: release
	./$(RELEASE)/infra-monitor demo

test: debug
	cd $(DEBUG) && ctest --output-on-failure -j $(JOBS)

fuzz: deps
	./scripts/fuzz.sh

bench: release
	./bench/run_bench.sh $(RELEASE) $(BENCH)

SEEDS ?= 11 12 13
eval: release
	./scripts/eval-detection.sh $(RELEASE) $(SEEDS)

format:
	find src tests bench -name '*.cpp' -o -name '*.h' | xargs clang-format -i

clean:
	rm -rf build
