# evtx-index / evtx-query: hand-written build.
#   make            build bin/evtx-index and bin/evtx-query
#   make demo       build, generate the demo case, index it and show what the product finds
#   make test       build and run the whole test suite
#   make bench      ingest and query benchmarks
#   make deps       install missing Debian packages (apt-get, as root or through sudo)
#   make SANITIZE=address,undefined test
CC      ?= cc
PKGS    := libevtx libbfio sqlite3 zlib libarchive libcrypto
CSTD    := -std=c11 -D_GNU_SOURCE
WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla
OPT     ?= -O2 -g
CFLAGS  += $(CSTD) $(WARN) $(OPT) -Ilib -Ibuild
LDLIBS  += -lpthread

ifneq ($(SANITIZE),)
CFLAGS  += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=$(SANITIZE)
BUILD   := build/san
else
BUILD   := build/rel
endif

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS  += $(PKG_CFLAGS)
LDLIBS  += $(PKG_LIBS)

LIB_SRC   := $(wildcard lib/*.c)
IDX_SRC   := $(filter-out indexer/main.c,$(wildcard indexer/*.c))
QRY_SRC   := $(filter-out query/main.c,$(wildcard query/*.c))
GEN_SRC   := $(filter-out samples/gen_case.c,$(wildcard samples/*.c))
UNIT_SRC  := $(wildcard tests/unit/test_*.c)

LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/schema_sql.o $(BUILD)/critical_services_tsv.o
IDX_OBJ   := $(IDX_SRC:%.c=$(BUILD)/%.o)
QRY_OBJ   := $(QRY_SRC:%.c=$(BUILD)/%.o)
GEN_OBJ   := $(GEN_SRC:%.c=$(BUILD)/%.o)
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

LIBCORE   := $(BUILD)/libcore.a
LIBIDX    := $(BUILD)/libindexer.a
LIBQRY    := $(BUILD)/libquery.a
LIBGEN    := $(BUILD)/libsamples.a

ifneq ($(SANITIZE),)
BIN := $(BUILD)/bin
else
BIN := bin
endif

PROGS := $(BIN)/evtx-index $(BIN)/evtx-query $(BIN)/evtx-gen-case

.PHONY: all demo test deps samples clean bench
all: $(PROGS)

$(BUILD)/%.o: %.c $(wildcard lib/*.h indexer/*.h query/*.h samples/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

# The schema lives in schema/schema.sql; it is compiled in as a C string.
$(BUILD)/schema_sql.c: schema/schema.sql schema/embed.sh
	@mkdir -p $(dir $@)
	sh schema/embed.sh schema_sql schema/schema.sql > $@
$(BUILD)/critical_services_tsv.c: schema/critical_services.tsv schema/embed.sh
	@mkdir -p $(dir $@)
	sh schema/embed.sh critical_services_tsv schema/critical_services.tsv > $@
$(BUILD)/schema_sql.o: $(BUILD)/schema_sql.c
	$(CC) $(CFLAGS) -c -o $@ $<
$(BUILD)/critical_services_tsv.o: $(BUILD)/critical_services_tsv.c
	$(CC) $(CFLAGS) -c -o $@ $<

# An archive with no members yet is still a valid (empty) archive.
ARCHIVE = @mkdir -p $(dir $@); rm -f $@; if [ -n "$^" ]; then ar rcs $@ $^; else printf '!<arch>\n' > $@; fi
$(LIBCORE): $(LIB_OBJ)
	$(ARCHIVE)
$(LIBIDX): $(IDX_OBJ)
	$(ARCHIVE)
$(LIBQRY): $(QRY_OBJ)
	$(ARCHIVE)
$(LIBGEN): $(GEN_OBJ)
	$(ARCHIVE)

$(BIN)/evtx-index: $(BUILD)/indexer/main.o $(LIBIDX) $(LIBCORE)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
$(BIN)/evtx-query: $(BUILD)/query/main.o $(LIBQRY) $(LIBCORE)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
$(BIN)/evtx-gen-case: $(BUILD)/samples/gen_case.o $(LIBGEN) $(LIBCORE)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: CFLAGS += -iquote indexer -iquote query -iquote samples
$(BUILD)/tests/%: tests/unit/%.c $(LIBQRY) $(LIBIDX) $(LIBGEN) $(LIBCORE)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Install what is missing from Debian (no-op when everything is there).
deps:
	@sh tests/deps.sh

samples: deps $(PROGS)
	$(BIN)/evtx-gen-case samples/case

demo: samples
	@rm -f demo.db demo.db-wal demo.db-shm
	$(BIN)/evtx-index demo.db samples/case
	@echo; echo '== evidence files'
	$(BIN)/evtx-query demo.db files
	@echo; echo '== T1489 Service Stop detections (medium and above; --explain: would the textbook rule catch it?)'
	$(BIN)/evtx-query demo.db t1489 --level medium --explain
	@echo; echo '== service-stop timeline of QAX\Administrator'
	$(BIN)/evtx-query demo.db timeline --by account --account 'QAX\Administrator'
	@echo; echo '== exported: demo-t1489.csv (open it in Excel or Timeline Explorer)'
	$(BIN)/evtx-query demo.db t1489 --explain -f csv -o demo-t1489.csv

test: deps $(PROGS) $(UNIT_BIN)
	BIN=$(BIN) BUILD=$(BUILD) sh tests/run

# Speed, measured side by side (figures go in README.md): ingest against libevtx's
# own evtxexport on a 500 MB set, and query latency on synthetic cases.
bench: deps $(PROGS)
	BIN=$(BIN) sh tests/bench/ingest.sh
	BIN=$(BIN) sh tests/bench/bigfile.sh
	BIN=$(BIN) sh tests/bench/query.sh 1000000 10000000

clean:
	rm -rf build bin
