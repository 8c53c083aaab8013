package embedded

import "math/bits"

// bitmap is a set of slots.
type bitmap []uint64

func (b *bitmap) set(i uint32) {
	w := int(i >> 6)
	for len(*b) <= w {
		*b = append(*b, 0)
	}
	(*b)[w] |= 1 << (i & 63)
}

func (b bitmap) clear(i uint32) {
	if w := int(i >> 6); w < len(b) {
		b[w] &^= 1 << (i & 63)
	}
}

func (b bitmap) has(i uint32) bool {
	w := int(i >> 6)
	return w < len(b) && b[w]&(1<<(i&63)) != 0
}

// and keeps only the slots also in o.
func (b bitmap) and(o bitmap) {
	for i := range b {
		if i < len(o) {
			b[i] &= o[i]
		} else {
			b[i] = 0
		}
	}
}

// andNot drops the slots in o.
func (b bitmap) andNot(o bitmap) {
	for i := range min(len(b), len(o)) {
		b[i] &^= o[i]
	}
}

func (b bitmap) count() int {
	n := 0
	for _, w := range b {
		n += bits.OnesCount64(w)
	}
	return n
}

// each calls f for every slot in b, in order.
func (b bitmap) each(f func(uint32)) {
	for i, w := range b {
		for w != 0 {
			t := bits.TrailingZeros64(w)
			f(uint32(i<<6 + t))
			w &= w - 1
		}
	}
}
