// Fuzz target: the model loader (bp::load_model), on any bytes. It must return a network or
// throw bp::DataError; never crash, read out of bounds, or allocate what the file cannot hold.
// Its seeds in corpus/model are model files of the current format (model_file.hpp), of every
// kind of layer.
#include "bp/io/model_file.hpp"

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // load_model reads a file: the input goes to one of this process's own.
    static const std::string file = "/tmp/bp-fuzz-model-" + std::to_string(::getpid()) + ".bin";
    // A new file each time: truncating one makes ext4 flush it to disk (auto_da_alloc), a
    // hundred times slower.
    std::remove(file.c_str());
    std::ofstream(file, std::ios::binary).write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    try {
        const bp::Sequential net = bp::load_model(file);
        (void)net;
    } catch (const bp::DataError&) {
        // refused by name: what the loader must do with a bad file
    }
    return 0;
}
