#include "bp/io/plot.hpp"

#include <gnuplot-iostream.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <utility>
#include <vector>

namespace bp {

namespace {

// Without the gnuplot program, gnuplot-iostream's pipe dies of SIGPIPE: say so first.
void require_gnuplot() {
    if (std::system("command -v gnuplot >/dev/null 2>&1") != 0)
        throw std::runtime_error(
            "the gnuplot program is not installed; install it with: "
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

// The files of one figure (DIR/NAME.dat, .png, .svg), each written under NAME.EXT.partial and
// renamed to its own name only when all of them are done: a run that fails leaves the files
// of an earlier run as they were.
class Staged {
public:
    Staged(std::filesystem::path dir, std::string name) : dir_(std::move(dir)), name_(std::move(name)) {}
    Staged(const Staged&) = delete;
    Staged& operator=(const Staged&) = delete;
    Staged(Staged&&) = delete;
    Staged& operator=(Staged&&) = delete;
    ~Staged() {
        std::error_code ignored;  // cleaning up after a failure that is already on its way
        if (!done_)
            for (const auto& f : files_) std::filesystem::remove(partial(f), ignored);
    }

    /// Where to write the file NAME + `extension` until commit().
    std::filesystem::path operator()(const std::string& extension) {
        files_.push_back(dir_ / (name_ + extension));
        return partial(files_.back());
    }

    void commit() {
        for (const auto& f : files_) std::filesystem::rename(partial(f), f);
        done_ = true;
    }

private:
    static std::filesystem::path partial(const std::filesystem::path& file) { return file.string() + ".partial"; }
    std::filesystem::path dir_;
    std::string name_;
    std::vector<std::filesystem::path> files_;
    bool done_ = false;
};

// Runs `commands` then `plot` in gnuplot, once for PNG and once for SVG, into `files`. gnuplot
// reports mistakes on stderr and carries on: keep what it says, and fail on it.
void draw(const std::string& name, const std::vector<std::string>& commands, const std::string& plot, const std::filesystem::path& dir,
          Staged& files) {
    const std::filesystem::path errors = dir / (name + ".gnuplot-errors");
    {
        Gnuplot gp("gnuplot 2>" + shell_quoted(errors.string()));
        for (const std::string& c : commands) gp << c << "\n";
        const struct {
            const char* terminal;
            const char* extension;
        } outputs[] = {{"pngcairo size 900,560 font 'Sans,11'", ".png"}, {"svg size 900,560 dynamic", ".svg"}};
        for (const auto& o : outputs)
            gp << "set terminal " << o.terminal << "\nset output " << quoted(files(o.extension).string()) << "\n"
               << plot << "\nset output\n";
    }  // closing the pipe waits for gnuplot to finish
    std::ifstream said(errors);
    const std::string message((std::istreambuf_iterator<char>(said)), std::istreambuf_iterator<char>());
    std::filesystem::remove(errors);
    // A warning ("Warning: empty x range [1:1], adjusting to ...", "warning: Skipping data file
    // with no valid points") still draws the figure: passed on, not fatal. Anything else fails.
    std::istringstream lines(message);
    std::string line, warnings, rest;
    while (std::getline(lines, line)) {
        std::string lower = line;
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (lower.find("warning:") != std::string::npos) {
            if (warnings.find(line + "\n") == std::string::npos) warnings += line + "\n";  // once, not per file drawn
        } else if (line.find_first_not_of(" \t\r") != std::string::npos) rest += line + "\n";
    }
    if (!rest.empty()) throw std::runtime_error("gnuplot failed on figure " + name + ":\n" + message);
    if (!warnings.empty()) std::cerr << "gnuplot, on figure " << name << ":\n" << warnings;
    files.commit();
}

}  // namespace

void require_figure_folder(const std::filesystem::path& dir, const std::string& name) {
    if (dir.empty()) throw std::invalid_argument(name + " is empty: give a folder to write the figures into (. for this one)");
    std::error_code e;
    if (std::filesystem::exists(dir, e) && !std::filesystem::is_directory(dir, e))
        throw std::invalid_argument(name + " " + dir.string() + ": that is a file, not a folder to write the figures into");
    std::filesystem::create_directories(dir, e);
    if (e) throw std::invalid_argument(name + " " + dir.string() + ": cannot make this folder: " + e.message());
}

void save_figure(const Figure& figure, const std::filesystem::path& dir) {
    for (const Curve& c : figure.curves)
        if (c.y.size() != figure.x.size())
            throw std::runtime_error("save_figure(" + figure.name + "): curve '" + c.title + "' has " + std::to_string(c.y.size()) +
                                     " points but the figure has " + std::to_string(figure.x.size()) + " x values");
    require_gnuplot();
    std::filesystem::create_directories(dir);
    Staged files(dir, figure.name);
    const std::filesystem::path data = files(".dat");
    write_data(figure, data);

    std::vector<std::string> commands = {"set title " + quoted(figure.title), "set xlabel " + quoted(figure.xlabel),
                                         "set ylabel " + quoted(figure.ylabel), "set grid", "set key top left"};
    commands.insert(commands.end(), figure.settings.begin(), figure.settings.end());
    std::string plot = "plot ";
    for (std::size_t k = 0; k < figure.curves.size(); ++k) {
        std::string style = figure.curves[k].style;
        // A line through one point draws nothing: draw the point.
        if (figure.x.size() == 1 && style.rfind("lines", 0) == 0 && style.rfind("linespoints", 0) != 0)
            style = "linespoints pt 7" + style.substr(5);
        plot += (k ? ", " : "") + quoted(data.string()) + " using 1:" + std::to_string(k + 2) + " with " + style + " title " +
                quoted(figure.curves[k].title);
    }
    draw(figure.name, commands, plot, dir, files);
}

void save_contour_figure(const ContourFigure& figure, const std::filesystem::path& dir) {
    require_gnuplot();
    std::filesystem::create_directories(dir);
    Staged files(dir, figure.name);
    const std::filesystem::path data = files(".dat");
    {
        std::ofstream out(data);
        out.precision(10);
        out << "# " << figure.title << "\n# f(x, y) = " << figure.function << "\n";
        for (const Path& p : figure.paths) {
            if (p.x.size() != p.y.size()) throw std::runtime_error("save_contour_figure: path '" + p.title + "' has unequal x and y");
            out << "# " << p.title << "\n";
            for (std::size_t i = 0; i < p.x.size(); ++i) out << p.x[i] << "\t" << p.y[i] << "\n";
            out << "\n\n";  // a gnuplot data block per path
        }
        if (!out) throw std::runtime_error("cannot write " + data.string());
    }
    std::string levels;
    for (double l : figure.levels) levels += (levels.empty() ? "" : ",") + std::to_string(l);
    const std::vector<std::string> commands = {"set title " + quoted(figure.title),
                                               "set xlabel 'x'",
                                               "set ylabel 'y'",
                                               "set xrange [" + std::to_string(figure.x0) + ":" + std::to_string(figure.x1) + "]",
                                               "set yrange [" + std::to_string(figure.y0) + ":" + std::to_string(figure.y1) + "]",
                                               "f(x, y) = " + figure.function,
                                               "set isosamples 120, 120",
                                               "set samples 120, 120",
                                               "set contour base",
                                               "set cntrparam levels discrete " + levels,
                                               "set view map",
                                               "set key outside right",
                                               "set cntrlabel onecolor"};
    // Colours of our own: gnuplot's cycle would give the contours' colour to a path too.
    const char* const colours[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2"};
    std::string plot = "splot f(x, y) nosurface with lines lc rgb '#bbbbbb' notitle";
    for (std::size_t k = 0; k < figure.paths.size(); ++k)
        plot += ", " + quoted(data.string()) + " index " + std::to_string(k) +
                " using 1:2:(0) nocontours with linespoints lw 2 pt 7 ps 0.4 lc rgb '" + colours[k % 7] + "' title " +
                quoted(figure.paths[k].title);
    draw(figure.name, commands, plot, dir, files);
}

std::filesystem::path output_dir(int argc, char** argv) { return argc > 1 ? argv[1] : "."; }

void save_graph(const std::string& dot, const std::string& name, const std::filesystem::path& dir) {
    if (std::system("command -v dot >/dev/null 2>&1") != 0)
        throw std::runtime_error("Graphviz's dot program is not installed; install it with: apt-get install graphviz");
    std::filesystem::create_directories(dir);
    Staged files(dir, name);
    const std::filesystem::path file = files(".dot");
    {
        std::ofstream out(file);
        out << dot;
        if (!out) throw std::runtime_error("cannot write " + file.string());
    }
    for (const char* format : {"png", "svg"}) {
        const std::filesystem::path image = files(std::string(".") + format);
        const std::string command =
            std::string("dot -T") + format + " -o " + shell_quoted(image.string()) + " " + shell_quoted(file.string()) + " 2>&1";
        if (std::system(command.c_str()) != 0)
            throw std::runtime_error("dot could not draw " + (dir / (name + ".dot")).string() + " as " + format);
    }
    files.commit();
}

Activation activation_named(const std::string& name) {
    for (Activation f : {Activation::sigmoid, Activation::tanh, Activation::relu, Activation::identity})
        if (to_string(f) == name) return f;
    throw std::invalid_argument("no hidden activation named '" + name + "': use sigmoid, tanh, relu or identity");
}

}  // namespace bp
