# Strata build. `make` builds build/strata; see README.md for the targets.
# Objects go under $(BUILD); `make test-asan` uses build-asan/ with clang and
# ASan+UBSan, without jemalloc (it conflicts with ASan's allocator).

BUILD   ?= build
SAN     ?=
CC      ?= cc
ifeq ($(SAN),1)
CC      := clang
endif
ifeq ($(CC),cc)
CC      := gcc
endif

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wno-missing-field-initializers
OPT     ?= -O2 -g
SANFLAGS ?=
ifeq ($(SAN),1)
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined
NOJEMALLOC := 1
endif
EXTRA_CFLAGS ?=
CFLAGS  := $(OPT) $(SANFLAGS) $(EXTRA_CFLAGS) -std=c11 -D_GNU_SOURCE -fno-omit-frame-pointer -pthread $(WARN) \
           -MMD -MP -I. -Iengine -Iwire -Iserver -DSTRATA_VERSION='"$(VERSION)"'
LDFLAGS := $(SANFLAGS)
LDLIBS  := -lmicrohttpd -lgnutls -lcrypt -lpcre2-8 -lzstd -lz -lsnappy -lm -lpthread
ifneq ($(NOJEMALLOC),1)
LDLIBS  += -ljemalloc
endif

ENGINE_SRC := $(wildcard engine/*.c engine/promql/*.c engine/influxql/*.c engine/sql/*.c)
WIRE_SRC   := $(wildcard wire/*.c)
SERVER_SRC := $(wildcard server/*.c)
LIB_OBJ    := $(patsubst %.c,$(BUILD)/%.o,$(ENGINE_SRC) $(WIRE_SRC))
SERVER_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(SERVER_SRC))
TEST_SRC   := $(wildcard engine/tests/test_*.c engine/promql/tests/test_*.c engine/influxql/tests/test_*.c engine/sql/tests/test_*.c wire/tests/test_*.c server/tests/test_*.c)
TEST_BIN   := $(patsubst %.c,$(BUILD)/%,$(TEST_SRC))
BENCH_SRC  := $(wildcard engine/bench/*.c wire/bench/*.c)
FUZZ_SRC   := $(wildcard fuzz/fuzz_*.c)
FUZZ_NAMES := $(patsubst fuzz/fuzz_%.c,%,$(FUZZ_SRC))
REPLAY_BIN := $(patsubst %,$(BUILD)/fuzz/replay_%,$(FUZZ_NAMES))
FUZZ_SECONDS ?= 60
HTTP_FUZZ_SECONDS ?= 600
BENCH_BIN  := $(patsubst %.c,$(BUILD)/%,$(BENCH_SRC))

.PHONY: all deps run test test-asan unit compat bench clean crash-long fuzz tsan tests-bin

all: $(BUILD)/strata

$(BUILD)/libstrata.a: $(LIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/strata: $(SERVER_OBJ) $(BUILD)/libstrata.a
	$(CC) $(LDFLAGS) -o $@ $(SERVER_OBJ) $(BUILD)/libstrata.a $(LDLIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

# server modules' unit tests link the server's objects (all but main)
SERVER_LIB_OBJ := $(filter-out $(BUILD)/server/main.o,$(SERVER_OBJ))
$(BUILD)/server/tests/%: server/tests/%.c $(SERVER_LIB_OBJ) $(BUILD)/libstrata.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Iengine/tests $(LDFLAGS) -o $@ $< $(SERVER_LIB_OBJ) $(BUILD)/libstrata.a $(LDLIBS)

$(BUILD)/%: %.c $(BUILD)/libstrata.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Iengine/tests $(LDFLAGS) -o $@ $< $(BUILD)/libstrata.a $(LDLIBS)

deps:
	@bash scripts/deps.sh

run: deps all
	mkdir -p data
	./$(BUILD)/strata --listen 127.0.0.1:9201 --data-dir ./data

# Every test: unit tests next to their modules, then end-to-end tests.
test: deps
	$(MAKE) all tests-bin
	$(MAKE) BUILD=build-tsan CC=clang OPT="-O1 -g" SANFLAGS=-fsanitize=thread NOJEMALLOC=1 \
	  build-tsan/engine/tests/test_concurrency
	bash scripts/run-tests.sh $(BUILD) all

tests-bin: $(TEST_BIN) $(BUILD)/strata $(REPLAY_BIN)

$(BUILD)/fuzz/replay_%: fuzz/fuzz_%.c fuzz/replay_main.c $(BUILD)/libstrata.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -Wno-missing-prototypes -o $@ $< fuzz/replay_main.c $(BUILD)/libstrata.a $(LDLIBS)

# libFuzzer campaigns (clang), FUZZ_SECONDS each; new inputs land in the corpora.
# Then the HTTP fuzzer against the ASan+UBSan server for HTTP_FUZZ_SECONDS.
fuzz: deps
	$(MAKE) BUILD=build-fuzz SAN=1 EXTRA_CFLAGS=-DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION build-fuzz/libstrata.a
	@for t in $(FUZZ_NAMES); do \
	  clang -g -O1 -fsanitize=fuzzer,address,undefined -std=c11 -D_GNU_SOURCE -Iengine -Iwire \
	    -o build-fuzz/fuzz_$$t fuzz/fuzz_$$t.c build-fuzz/libstrata.a \
	    -lmicrohttpd -lpcre2-8 -lzstd -lz -lsnappy -lm -lpthread || exit 1; \
	  mkdir -p fuzz/corpus/$$t; \
	  ./build-fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) fuzz/corpus/$$t || exit 1; \
	done
	$(MAKE) BUILD=build-asan SAN=1 build-asan/strata
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  STRATA_BIN=build-asan/strata STRATA_SMOKE=1 STRATA_FUZZ_SECONDS=$(HTTP_FUZZ_SECONDS) \
	  python3 compat-tests/test_http_fuzz.py

unit: tests-bin
	bash scripts/run-tests.sh $(BUILD) unit

compat: all
	bash scripts/run-tests.sh $(BUILD) compat

test-asan: deps
	$(MAKE) BUILD=build-asan SAN=1 all tests-bin
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  STRATA_TEST_QUICK=1 STRATA_CRASH_ROUNDS=5 bash scripts/run-tests.sh build-asan asan

# ThreadSanitizer build of the concurrency test (not part of `make test`'s gcc build).
tsan: deps
	$(MAKE) BUILD=build-tsan CC=clang OPT="-O1 -g" SANFLAGS=-fsanitize=thread NOJEMALLOC=1 \
	  build-tsan/engine/tests/test_concurrency
	TSAN_OPTIONS=halt_on_error=1:exitcode=66 ./build-tsan/engine/tests/test_concurrency

bench: deps all $(BENCH_BIN)
	bash scripts/run-bench.sh $(BUILD)

# Long crash campaign (CI runs a shorter one inside `make test`).
crash-long: tests-bin
	STRATA_CRASH_ROUNDS=200 ./$(BUILD)/engine/tests/test_crash

clean:
	rm -rf build build-asan build-tsan build-fuzz

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
