/// \file
/// Plotting for the experiments: each figure is written as a data file (the numbers, for
/// anyone who wants to plot them again) and drawn from it by gnuplot as PNG and SVG.
#pragma once

#include "bp/core/activations.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace bp {

/// One line of a figure.
struct Curve {
    std::string title;
    std::vector<double> y;             ///< one value per x of the figure
    std::string style = "lines lw 2";  ///< a gnuplot "with" clause
};

/// A plot: curves over a shared x, with its titles and any extra gnuplot settings.
struct Figure {
    std::string name;  ///< file stem: DIR/NAME.dat, .png and .svg
    std::string title, xlabel, ylabel;
    std::vector<double> x;  ///< shared by every curve
    std::vector<Curve> curves;
    std::vector<std::string> settings;  ///< extra gnuplot commands, e.g. "set yrange [-1:2]"
};

/// What a program checks before its work, so that a bad folder is found before it, not after:
/// makes `dir` (and its parents) if it is not there and checks that it is a folder. Throws
/// std::invalid_argument naming `name` (the option or argument, e.g. "--figures"), the path and
/// what is wrong (empty, a file, cannot be made).
void require_figure_folder(const std::filesystem::path& dir, const std::string& name);

/// Writes DIR/NAME.dat, .png and .svg. Throws std::runtime_error naming what is missing
/// (the gnuplot program, a curve of the wrong length) or what could not be written.
void save_figure(const Figure& figure, const std::filesystem::path& dir);

/// A path in the plane, such as the points an optimizer visits.
struct Path {
    std::string title;
    std::vector<double> x, y;
};

/// Paths drawn over the contour lines of f(x, y), given as a gnuplot expression such as
/// "(1-x)**2 + 100*(y-x**2)**2", on [x0, x1] x [y0, y1].
struct ContourFigure {
    std::string name, title;
    std::string function;
    double x0, x1, y0, y1;
    std::vector<double> levels;  ///< the contour levels to draw
    std::vector<Path> paths;
};

/// Writes DIR/NAME.dat (the paths, one block each), .png and .svg.
void save_contour_figure(const ContourFigure& figure, const std::filesystem::path& dir);

/// Where experiments write: the folder given as argv[1], else the current folder.
std::filesystem::path output_dir(int argc, char** argv);

/// Writes DIR/NAME.dot (a Graphviz graph, such as Graph::to_dot() gives) and draws it with
/// Graphviz's dot program as DIR/NAME.png and DIR/NAME.svg. Throws std::runtime_error if dot
/// is missing (saying what to install) or fails.
void save_graph(const std::string& dot, const std::string& name, const std::filesystem::path& dir);

/// The activation an experiment's --activation option names: "sigmoid", "tanh", "relu" or
/// "identity" (the choices to offer are hidden_activation_names()).
Activation activation_named(const std::string& name);
inline std::vector<std::string> hidden_activation_names() { return {"sigmoid", "tanh", "relu", "identity"}; }

}  // namespace bp
