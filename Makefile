PREFIX ?= /usr/local

.PHONY: build install test dist

# The release binary lands in .build/release/trainmem.
build:
	swift build -c release

install: build
	install -d $(PREFIX)/bin
	install -m 755 .build/release/trainmem $(PREFIX)/bin/trainmem

test:
	swift test

# A release binary with the Swift runtime and Foundation linked in (it needs only glibc), and its
# SHA-256, for CI jobs without a Swift toolchain: dist/trainmem-linux-<arch>.
ARCH := $(shell uname -m)
dist:
	swift build -c release --static-swift-stdlib --scratch-path .build-static
	install -d dist
	install -m 755 .build-static/release/trainmem dist/trainmem-linux-$(ARCH)
	cd dist && sha256sum trainmem-linux-$(ARCH) > trainmem-linux-$(ARCH).sha256
