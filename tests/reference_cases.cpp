#include "reference_cases.hpp"

#include <algorithm>
#include <cmath>
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

// A number at the precision the comparisons can see: 12 significant digits from 1 up, 12
// decimals below 1 (an absolute 1e-12, a hundredth of what refgen check tolerates). Below 1
// the tests compare absolutely, so more digits would only record round-off: a result that is
// 0 in exact arithmetic but comes out as 1e-17 on one machine and -3e-17 on another is 0.
std::string format_number(double v) {
    std::ostringstream out;
    if (std::abs(v) >= 1 || !std::isfinite(v)) {
        out << std::setprecision(12) << v;
        return out.str();
    }
    out << std::fixed << std::setprecision(12) << v;
    std::string text = out.str();
    text.erase(text.find_last_not_of('0') + 1);  // 0.250000000000 -> 0.25
    if (text.back() == '.') text.pop_back();
    if (text == "-0") text = "0";
    return text;
}

// case <exercise> <name>
// output <name> <rows> <cols>
// <rows lines of cols numbers>
std::string format_reference_data(int chapter, const std::vector<std::pair<std::string, NamedList>>& results) {
    std::ostringstream out;
    out << "# Reference results for chapter " << chapter << ", computed from solutions/ by refgen.\n"
        << "# Do not edit: ./course generate rewrites this file, and the tests compare against it.\n";
    for (const auto& [key, outputs] : results) {
        out << "case " << key << "\n";
        for (const Named& o : outputs) {
            out << "output " << o.name << " " << o.value.rows() << " " << o.value.cols() << "\n";
            for (bp::Index i = 0; i < o.value.rows(); ++i) {
                for (bp::Index j = 0; j < o.value.cols(); ++j) out << (j ? " " : "") << format_number(o.value(i, j));
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

bp::Mlp network_from(const std::vector<bp::Index>& sizes, bp::Activation hidden, bp::Activation output, const NamedList& inputs) {
    bp::Rng unused(0);  // every weight is replaced
    bp::Mlp net(sizes, hidden, output, unused);
    for (std::size_t l = 0; l < net.size(); ++l) {
        net.dense(l).W = inputs.at(2 * l).value;
        net.dense(l).b = inputs.at(2 * l + 1).value.col(0);
    }
    return net;
}

}  // namespace bp_test
