//go:build !race

package runtime

// raceEnabled is true under the race detector, which slows code down too
// much for timing assertions.
const raceEnabled = false
