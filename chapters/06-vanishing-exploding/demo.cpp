// Chapter 6's demo (a placeholder while the chapter is written).
#include <iostream>
int main() { std::cout << "chapter 6\n"; }
