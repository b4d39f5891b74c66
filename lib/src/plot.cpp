#include "bp/plot.hpp"

#include <gnuplot-iostream.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace bp {

namespace {

// Without the gnuplot program, gnuplot-iostream's pipe dies of SIGPIPE: say so first.
void require_gnuplot() {
    if (std::system("command -v gnuplot >/dev/null 2>&1") != 0)
        throw std::runtime_error("the gnuplot program is not installed; install it with: "
                                 "apt-get install --no-install-recommends gnuplot-nox");
}

// A gnuplot string literal: single quotes, with a quote inside written twice.
std::string quoted(const std::string& text) {
    std::string out = "'";
    for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
    return out + "'";
}

// A shell word: single quotes, with a quote inside written as '\''.
std::string shell_quoted(const std::string& text) {
    std::string out = "'";
    for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

void write_data(const Figure& figure, const std::filesystem::path& path) {
    std::ofstream out(path);
    out << "# " << figure.title << "\n# " << figure.xlabel;
    for (const Curve& c : figure.curves) out << "\t" << c.title;
    out << "\n";
    out.precision(10);
    for (std::size_t i = 0; i < figure.x.size(); ++i) {
        out << figure.x[i];
        for (const Curve& c : figure.curves) out << "\t" << c.y[i];
        out << "\n";
    }
    if (!out) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace

void save_figure(const Figure& figure, const std::filesystem::path& dir) {
    for (const Curve& c : figure.curves)
        if (c.y.size() != figure.x.size())
            throw std::runtime_error("save_figure(" + figure.name + "): curve '" + c.title + "' has " +
                                     std::to_string(c.y.size()) + " points but the figure has " +
                                     std::to_string(figure.x.size()) + " x values");
    require_gnuplot();
    std::filesystem::create_directories(dir);
    const std::filesystem::path data = dir / (figure.name + ".dat");
    write_data(figure, data);

    // gnuplot reports mistakes on stderr and carries on: keep what it says, and fail on it.
    const std::filesystem::path errors = dir / (figure.name + ".gnuplot-errors");
    {
        Gnuplot gp("gnuplot 2>" + shell_quoted(errors.string()));
        gp << "set title " << quoted(figure.title) << "\n"
           << "set xlabel " << quoted(figure.xlabel) << "\n"
           << "set ylabel " << quoted(figure.ylabel) << "\n"
           << "set grid\nset key top left\n";
        for (const std::string& s : figure.settings) gp << s << "\n";
        std::string plot = "plot ";
        for (std::size_t k = 0; k < figure.curves.size(); ++k)
            plot += (k ? ", " : "") + quoted(data.string()) + " using 1:" + std::to_string(k + 2) + " with " +
                    figure.curves[k].style + " title " + quoted(figure.curves[k].title);
        const struct {
            const char* terminal;
            const char* extension;
        } outputs[] = {{"pngcairo size 900,560 font 'Sans,11'", ".png"}, {"svg size 900,560 dynamic", ".svg"}};
        for (const auto& o : outputs)
            gp << "set terminal " << o.terminal << "\nset output " << quoted((dir / (figure.name + o.extension)).string())
               << "\n" << plot << "\nset output\n";
    }  // closing the pipe waits for gnuplot to finish
    std::ifstream said(errors);
    const std::string message((std::istreambuf_iterator<char>(said)), std::istreambuf_iterator<char>());
    std::filesystem::remove(errors);
    if (!message.empty()) throw std::runtime_error("gnuplot failed on figure " + figure.name + ":\n" + message);
}

std::filesystem::path output_dir(int argc, char** argv) { return argc > 1 ? argv[1] : "."; }

}  // namespace bp
