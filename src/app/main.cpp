#include "app/app.h"

int main(int argc, char** argv) {
  return im::app::main_entry(argc, argv);
}
