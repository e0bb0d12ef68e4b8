// The prototypes' sorted order (by first coordinate, NaN last, ties by index), decided once per
// epoch in scalar code. Internal linkage, no STL.
#pragma once

namespace protomlp {
namespace {

/**
 * Whether neuron i sorts before neuron j: by the prototypes' first coordinate, NaN last, ties by
 * index. A strict total order, so the sorted permutation is unique whatever sorted it.
 */
inline bool sortsBefore(const double* key, int i, int j) {
  const double ki = key[i], kj = key[j];
  if (ki < kj) return true;
  if (kj < ki) return false;
  const bool nanI = ki != ki, nanJ = kj != kj;
  if (nanI != nanJ) return nanJ;
  return i < j;
}

/**
 * Sorts order[0..h) by sortsBefore. Insertion sort: started from the previous epoch's order, which
 * training changes little, it costs O(h + moves) (the first epoch O(h^2), once); the result does
 * not depend on the starting order. Hand-written because this header may use no STL template.
 */
inline void sortByPrototype(const double* key, int* order, int h) {
  for (int i = 1; i < h; i++) {
    const int moving = order[i];
    int k = i - 1;
    while (k >= 0 && sortsBefore(key, moving, order[k])) {
      order[k + 1] = order[k];
      k--;
    }
    order[k + 1] = moving;
  }
}
}  // namespace
}  // namespace protomlp
