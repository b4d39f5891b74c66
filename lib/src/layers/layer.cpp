#include "bp/layers/layer.hpp"

#include <cxxabi.h>

#include <cstdlib>
#include <memory>

namespace bp {

std::string layer_type_name(const std::type_info& type) {
    int status = 0;
    const std::unique_ptr<char, void (*)(void*)> name(abi::__cxa_demangle(type.name(), nullptr, nullptr, &status), std::free);
    return status == 0 && name ? name.get() : type.name();
}

}  // namespace bp
