// Package mcf solves the min-cost flow problem exactly, in integers.
//
// Routing (production/routing) turns open hospital demand and makers' printer
// capacity into a transportation network and asks for the cheapest way to meet
// every supply and demand. That is a min-cost flow problem on up to a few
// million arcs. Go has no maintained pure-Go min-cost-flow solver, and gonum's
// LP package is a dense simplex meant for small problems, so this package
// implements the method that is fastest in practice on such networks: the
// primal network simplex, following the design of LEMON's NetworkSimplex.
//
// # Method
//
// The solver adds an artificial root node and one artificial arc between the
// root and each node, oriented so that the initial flow (the node's supply
// sent up to the root, or the root feeding the node's demand) is feasible.
// Those arcs form the initial spanning tree, which is strongly feasible: every
// node can push a positive amount of flow to the root along its tree path.
// The leaving-arc rule (the last blocking arc met when walking the pivot cycle
// in the direction of flow from its apex) keeps the tree strongly feasible,
// which rules out cycling on degenerate pivots, so the method always
// terminates without any perturbation.
//
// Artificial arcs that feed demand carry a symbolic cost M that is larger
// than any real path cost (lexicographic phase 1 and phase 2 in one run), so
// flow on them is driven out before real costs are traded off. No numeric
// big-M is guessed: a potential is the pair (a, c) of its M-part a ∈ {0, 1}
// and its real part c, and Solve first checks that every real path cost
// stays below 2^59 in magnitude, so the pair fits one int64 as a·2^62 + c
// with no carry between the parts. Comparisons of the packed numbers are
// then exactly lexicographic comparisons of the pairs.
//
// Entering arcs are chosen by block search: arcs are scanned in blocks of
// about √m, and the most violating arc of the first block that has one
// enters. Arcs are stored in an interleaved order (as LEMON does) so that a
// block samples the whole network rather than one node's arcs. The tree is
// kept as parent/pred arrays plus a preorder thread with subtree sizes and
// last successors, so a pivot only touches the pivot cycle and the subtree
// that moves, and potentials are updated on that subtree alone.
//
// # Numbers and limits
//
// Capacities are in [0, Infinite]; Infinite means "uncapacitated". Supplies
// are in [-Infinite, Infinite]. Solve returns ErrOverflow instead of a wrong
// answer when the total positive supply plus the sum of finite capacities
// reaches Infinite (arc flows are bounded by that sum); when a path cost
// could reach 2^59 ≈ 5.7·10^17, the bound on potentials (Solve needs either
// Σ|cost| or n·max|cost| below it, so costs up to 5·10^11 are fine with a
// million nodes); or when the total cost does not fit an int64.
//
// Solve is deterministic: the same graph, built with the same calls in the
// same order, always yields the same flows and potentials.
package mcf
