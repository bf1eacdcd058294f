# Convenience targets over the CMake presets (2 cores: -j2).
.PHONY: release debug test test-debug format bench clean
release:
	./scripts/build.sh release
debug:
	./scripts/build.sh debug
test:
	./scripts/test.sh
test-debug:
	MEDAI_TEST_PRESET=debug ./scripts/test.sh
format:
	find src tests bench -name '*.cc' -o -name '*.h' | xargs clang-format -i
bench:
	./bench/http_bench.sh
clean:
	rm -rf build
