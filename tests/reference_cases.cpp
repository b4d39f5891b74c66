#include "reference_cases.hpp"

#include <algorithm>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <stdexcept>

namespace bp_test {

namespace {
std::vector<CaseMaker>& makers() {
    static std::vector<CaseMaker> all;  // filled before main, by each chapter's registration
    return all;
}
}  // namespace

CaseRegistration::CaseRegistration(CaseMaker make) { makers().push_back(make); }

std::vector<ReferenceCase> all_reference_cases() {
    std::vector<ReferenceCase> all;
    for (CaseMaker make : makers())
        for (ReferenceCase& c : make()) all.push_back(std::move(c));
    std::stable_sort(all.begin(), all.end(),
                     [](const ReferenceCase& a, const ReferenceCase& b) { return chapter_of(a.exercise) < chapter_of(b.exercise); });
    return all;
}

int chapter_of(const std::string& exercise) { return std::stoi(exercise.substr(0, exercise.find('.'))); }

std::string reference_key(const ReferenceCase& c) { return c.exercise + " " + c.name; }

std::filesystem::path reference_file(const std::filesystem::path& dir, int chapter) {
    std::ostringstream name;
    name << "ch" << std::setw(2) << std::setfill('0') << chapter << ".txt";
    return dir / name.str();
}

// case <exercise> <name>
// output <name> <rows> <cols>
// <rows lines of cols numbers>
// Twelve significant digits: far more than the tests' tolerance needs, and few enough that a
// compiler or processor rounding the last bits differently (FMA, say) writes the same file.
std::string format_reference_data(int chapter, const std::vector<std::pair<std::string, NamedList>>& results) {
    std::ostringstream out;
    out << "# Reference results for chapter " << chapter << ", computed from solutions/ by refgen.\n"
        << "# Do not edit: ./course generate rewrites this file, and the tests compare against it.\n";
    out << std::setprecision(12);
    for (const auto& [key, outputs] : results) {
        out << "case " << key << "\n";
        for (const Named& o : outputs) {
            out << "output " << o.name << " " << o.value.rows() << " " << o.value.cols() << "\n";
            for (bp::Index i = 0; i < o.value.rows(); ++i) {
                for (bp::Index j = 0; j < o.value.cols(); ++j) out << (j ? " " : "") << o.value(i, j);
                out << "\n";
            }
        }
    }
    return out.str();
}

ReferenceData read_reference_data(const std::filesystem::path& dir) {
    ReferenceData data;
    if (!std::filesystem::is_directory(dir)) throw std::runtime_error("no reference data folder at " + dir.string());
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (entry.path().extension() != ".txt") continue;
        std::ifstream in(entry.path());
        std::string word, key;
        while (in >> word) {
            if (word == "#") {
                std::getline(in, word);
            } else if (word == "case") {
                std::string exercise, name;
                in >> exercise >> name;
                key = exercise + " " + name;
                data[key];
            } else if (word == "output") {
                Named o;
                bp::Index rows = 0, cols = 0;
                in >> o.name >> rows >> cols;
                o.value.resize(rows, cols);
                for (bp::Index i = 0; i < rows; ++i)
                    for (bp::Index j = 0; j < cols; ++j) in >> o.value(i, j);
                data[key].push_back(o);
            } else {
                in.setstate(std::ios::failbit);
            }
            if (!in && !in.eof()) throw std::runtime_error(entry.path().string() + ": unreadable near '" + word + "'");
        }
    }
    return data;
}

bp::Mlp network_from(const std::vector<bp::Index>& sizes, bp::Activation hidden, bp::Activation output,
                     const NamedList& inputs) {
    bp::Rng unused(0);  // every weight is replaced
    bp::Mlp net(sizes, hidden, output, unused);
    for (std::size_t l = 0; l < net.size(); ++l) {
        net.dense(l).W = inputs.at(2 * l).value;
        net.dense(l).b = inputs.at(2 * l + 1).value.col(0);
    }
    return net;
}


}  // namespace bp_test
