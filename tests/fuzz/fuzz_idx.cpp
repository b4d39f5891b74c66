// Fuzz target: the IDX reader (lib/src/io/data.cpp), on any bytes, plain or gzip. It must return
// an array holding exactly the bytes its dimensions promise, or throw bp::DataError; never
// crash, hang, read out of bounds, or allocate much more than the input could hold.
//
//   ./course fuzz          (or build/fuzz/tests/fuzz/fuzz_idx DIR... with libFuzzer's options)
#include "bp/io/data.hpp"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        const bp::IdxArray array = bp::read_idx_bytes(data, size, "fuzz input");
        std::size_t count = 1;
        for (std::uint32_t d : array.dims) count *= d;
        if (array.dims.empty() || array.data.size() != count) std::abort();  // a wrong answer is a bug too
    } catch (const bp::DataError&) {
        // refused by name: what the reader must do with a bad file
    }
    return 0;
}
