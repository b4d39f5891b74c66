// Every Eigen operation the exercises use, each in a line or two, with what it prints. The
// build runs this program for chapter 1's Eigen page, which shows each example (a \snippet
// of this file) beside its output (a \snippet of what the program printed), so both are
// always what the compiler and Eigen really do.
#include "bp/core/matrix.hpp"
#include "bp/recurrent/sequence.hpp"

#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>

namespace {

using bp::Index;
using bp::Matrix;
using bp::Vector;
using Eigen::ArrayXXd;
using Eigen::RowVectorXd;

// Prints one example's result between the marker lines that the page's \snippet finds.
template <class M>
void show(const std::string& name, const M& m) {
    static const Eigen::IOFormat format(4, 0, "  ", "\n", "[ ", " ]");
    std::cout << "//! [" << name << "]\n" << m.format(format) << "\n//! [" << name << "]\n";
}

// A number as the page shows it: up to 4 significant digits.
std::string number(double v) {
    std::ostringstream out;
    out << std::setprecision(4) << v;
    return out.str();
}

void say(const std::string& name, const std::string& text) { std::cout << "//! [" << name << "]\n" << text << "\n//! [" << name << "]\n"; }

// A function that writes into a view, as the recurrent step functions of chapter 7 do: out is
// a TimeStep (an Eigen::Ref), so a Matrix or a block of one may be passed and is written in place.
//! [ref_function]
void twice(bp::TimeStep out, bp::ConstTimeStep in) { out = 2 * in; }
//! [ref_function]

}  // namespace

int main() {
    //! [setup]
    Matrix A(2, 3);  // 2 rows, 3 columns: fill it row by row
    A << 1, -2, 3, -4, 5, -6;
    Vector b(2);  // a column: 2 x 1
    b << 10, 20;
    RowVectorXd r(3);  // a row: 1 x 3
    r << 1, 10, 100;
    //! [setup]
    show("setup", A);

    // ---- making matrices ----
    //! [zero]
    Matrix Z = Matrix::Zero(2, 3);
    //! [zero]
    show("zero", Z);
    //! [constant]
    Matrix C = Matrix::Constant(2, 3, 0.5);  // also Matrix::Ones(2, 3)
    //! [constant]
    show("constant", C);
    //! [like]
    Matrix D = Matrix::Zero(A.rows(), A.cols());  // A's shape
    D.setZero();                                  // zeroes a matrix in place, keeping its shape
    //! [like]
    show("like", D);
    //! [shape]
    // bp::Index is Eigen's integer type
    Index rows = A.rows(), cols = A.cols(), n = A.size();
    //! [shape]
    say("shape", "rows = " + std::to_string(rows) + ", cols = " + std::to_string(cols) + ", n = " + std::to_string(n));
    //! [element]
    double x = A(1, 2);  // row 1, column 2, counted from 0
    // One index counts down the columns:
    // A(0) = A(0, 0), A(1) = A(1, 0), A(2) = A(0, 1), ...
    double y = A(3);
    //! [element]
    say("element", "x = " + number(x) + ", y = " + number(y));

    // ---- products, transposes, sums ----
    //! [transpose]
    Matrix At = A.transpose();  // 3 x 2
    //! [transpose]
    show("transpose", At);
    //! [product]
    Matrix P = A * At;  // the matrix product: (2 x 3)(3 x 2) = 2 x 2
    //! [product]
    show("product", P);
    //! [cwise_product]
    Matrix E = A.cwiseProduct(A);  // element by element, same shapes
    //! [cwise_product]
    show("cwise_product", E);
    //! [sum]
    double total = A.sum();            // of every element
    double squares = A.squaredNorm();  // of every element squared
    //! [sum]
    say("sum", "total = " + number(total) + ", squares = " + number(squares));

    // ---- element by element ----
    //! [array]
    // .array(): element by element; .matrix(): back
    Matrix S = (1.0 + A.array()).square().matrix();
    //! [array]
    show("array", S);
    //! [functions]
    ArrayXXd F = A.array().abs().sqrt();
    // also .exp(), .log(), .tanh(), .log1p() (log(1 + x))
    //! [functions]
    show("functions", F);
    //! [inverse]
    Matrix I = A.array().inverse().matrix();  // 1 / x, element by element
    //! [inverse]
    show("inverse", I);
    //! [max_scalar]
    Matrix M = A.array().max(0.0).matrix();  // = A.cwiseMax(0.0)
    //! [max_scalar]
    show("max_scalar", M);
    //! [array_arithmetic]
    ArrayXXd a = A.array();  // * and / element by element
    Matrix Q = (a * a / (2.0 + a.abs())).matrix();
    //! [array_arithmetic]
    show("array_arithmetic", Q);
    //! [abs2]
    Matrix G = A.cwiseAbs2();  // x^2; also A.cwiseAbs()
    //! [abs2]
    show("abs2", G);

    // ---- conditions ----
    //! [compare]
    // true (1) where A > 0, false (0) elsewhere
    Matrix positive = (A.array() > 0.0).cast<double>().matrix();
    //! [compare]
    show("compare", positive);
    //! [select]
    // A where A > 0, else 0.1 A
    Matrix chosen = (A.array() > 0.0).select(A, 0.1 * A);
    //! [select]
    show("select", chosen);
    //! [select_constant]
    Matrix slopes = (A.array() > 0.0).select(Matrix::Ones(2, 3), Matrix::Constant(2, 3, 0.1));
    //! [select_constant]
    show("select_constant", slopes);

    // ---- per column, per row ----
    //! [colwise_sum]
    RowVectorXd column_sums = A.colwise().sum();  // 1 x 3
    //! [colwise_sum]
    show("colwise_sum", column_sums);
    //! [colwise_max]
    RowVectorXd column_max = A.colwise().maxCoeff();  // 1 x 3
    //! [colwise_max]
    show("colwise_max", column_max);
    //! [rowwise_sum]
    Vector row_sums = A.rowwise().sum();  // 2 x 1
    //! [rowwise_sum]
    show("rowwise_sum", row_sums);
    //! [colwise_add]
    Matrix Ab = A.colwise() + b;  // b is 2 x 1
    //! [colwise_add]
    show("colwise_add", Ab);
    //! [rowwise_sub]
    Matrix Ar = A.rowwise() - r;  // r is 1 x 3: r(j) from column j
    //! [rowwise_sub]
    show("rowwise_sub", Ar);
    //! [rowwise_div]
    // column j divided by r(j)
    Matrix Ad = (A.array().rowwise() / r.array()).matrix();
    //! [rowwise_div]
    show("rowwise_div", Ad);
    //! [shift_columns]
    // each column minus its own largest element
    Matrix shifted = A.rowwise() - A.colwise().maxCoeff();
    //! [shift_columns]
    show("shift_columns", shifted);

    // ---- in place ----
    //! [in_place]
    Matrix W = Matrix::Ones(2, 3);
    W += A;                              // also -=, and *= 0.5 or /= 2.0 with a number
    W.array() -= 0.5 * A.array().abs();  // element by element
    //! [in_place]
    show("in_place", W);

    // ---- numbers that are not double ----
    //! [divide_wrong]
    const Index m = A.cols();    // an integer: 3
    Matrix wrong = (1 / m) * A;  // 1 / 3 is 0 in integers
    //! [divide_wrong]
    show("divide_wrong", wrong);
    //! [divide_by_m]
    const double batch = static_cast<double>(A.cols());  // 3.0
    Matrix mean = (1 / batch) * A;                       // = A / batch
    //! [divide_by_m]
    show("divide_by_m", mean);

    // ---- aliasing ----
    //! [alias]
    Matrix T(2, 2);
    T << 1, 2, 3, 4;
    T = T.transpose();  // reads T while writing it: silently wrong
    //! [alias]
    show("alias", T);
    //! [no_alias]
    Matrix U(2, 2);
    U << 1, 2, 3, 4;
    U.transposeInPlace();  // or: Matrix Ut = U.transpose();
    //! [no_alias]
    show("no_alias", U);

    // ---- rows, blocks and views (chapters 6 and 7) ----
    //! [scale_rows]
    // row i times v(i), as batch norm scales zhat by gamma
    Vector v(2);
    v << 2, -1;
    Matrix scaled = A.array().colwise() * v.array();
    //! [scale_rows]
    show("scale_rows", scaled);
    //! [scale_rows_shift]
    // then b added to every column: an array expression, then a Matrix again
    Matrix shifted_rows = ((A.array().colwise() * v.array()).colwise() + b.array()).matrix();
    //! [scale_rows_shift]
    show("scale_rows_shift", shifted_rows);
    //! [row_blocks]
    Matrix stacked(6, 2);  // three blocks of 2 rows, as an LSTM stacks its gates
    stacked << 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12;
    Matrix top = stacked.topRows(2);           // rows 0-1
    Matrix middle = stacked.middleRows(2, 2);  // 2 rows from row 2
    stacked.bottomRows(2).setZero();           // a block can be written in place
    //! [row_blocks]
    show("row_blocks", stacked);
    show("row_blocks_top", top);
    show("row_blocks_middle", middle);
    //! [noalias]
    Matrix AAt = Matrix::Zero(2, 2);
    AAt.noalias() += A * A.transpose();  // a product into AAt with no temporary: it is not a factor
    //! [noalias]
    show("noalias", AAt);
    //! [ref_call]
    Matrix steps = Matrix::Zero(2, 6);             // three steps of 2 columns side by side
    twice(steps.middleCols(2, 2), A.leftCols(2));  // writes step 2 in place
    //! [ref_call]
    show("ref_call", steps);
    //! [rsqrt]
    Eigen::ArrayXd var(2);  // a column of numbers for element-wise work
    var << 3.99, 0.24;
    Vector inv_std = (var + 0.01).rsqrt();  // 1 / sqrt(var + eps), element by element
    //! [rsqrt]
    show("rsqrt", inv_std);
    //! [count]
    const Index big = (A.array().abs() > 3).count();                  // how many elements meet the condition
    const Index all_rows = (A.array() > -5).rowwise().all().count();  // rows where every element does
    //! [count]
    say("count", std::to_string(big) + " elements with |a| > 3; " + std::to_string(all_rows) + " row with every element > -5");
    //! [norm]
    const double frobenius = A.norm();                    // sqrt of the sum of every element squared
    const Vector row_norms2 = A.rowwise().squaredNorm();  // each row's sum of squares
    //! [norm]
    say("norm", number(frobenius) + "; rows: " + number(row_norms2(0)) + ", " + number(row_norms2(1)));
}
