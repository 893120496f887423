PREFIX ?= /usr/local

.PHONY: build install test

# The release binary lands in .build/release/trainmem.
build:
	swift build -c release

install: build
	install -d $(PREFIX)/bin
	install -m 755 .build/release/trainmem $(PREFIX)/bin/trainmem

test:
	swift test
