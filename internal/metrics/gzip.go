package metrics

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"hash/crc32"
)

// The handler builds one gzip member out of deflate streams compressed at
// different times: every chunk is compressed by a freshly reset compressor
// and ends with a sync flush, so it refers to nothing before it and ends on
// a byte boundary, and chunks can be concatenated in any combination. The
// member's CRC-32 is then combined from the chunks' CRCs, so a scrape never
// re-reads the uncompressed text.

// gzipHeader is a minimal gzip member header: deflate, no name, no time,
// unknown OS (RFC 1952).
var gzipHeader = []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}

// finalBlock ends a deflate stream: an empty final block.
var finalBlock = func() []byte {
	var b bytes.Buffer
	w, _ := flate.NewWriter(&b, flate.BestSpeed)
	w.Close()
	return b.Bytes()
}()

// gzipTrailer is the CRC-32 and the length modulo 2^32 of the uncompressed
// data, little-endian.
func gzipTrailer(crc uint32, size int64) []byte {
	var b [8]byte
	binary.LittleEndian.PutUint32(b[:4], crc)
	binary.LittleEndian.PutUint32(b[4:], uint32(size))
	return b[:]
}

// crcCombine returns the CRC-32 (IEEE) of A followed by B, given the CRCs
// of A and B and B's length. Appending n bytes multiplies A's remainder by
// x^(8n) modulo the CRC polynomial; crc32 works on bit-reflected values,
// so the arithmetic below is in that representation, where bit 31 is x^0.
func crcCombine(crcA, crcB uint32, lenB int64) uint32 {
	if lenB <= 0 {
		return crcA
	}
	return gfMul(xPow8n(lenB), crcA) ^ crcB
}

// gfMul multiplies two polynomials modulo the reflected IEEE polynomial.
func gfMul(a, b uint32) uint32 {
	var p uint32
	for m := uint32(1) << 31; m != 0; m >>= 1 {
		if a&m != 0 {
			p ^= b
		}
		if b&1 != 0 {
			b = b>>1 ^ crc32.IEEE
		} else {
			b >>= 1
		}
	}
	return p
}

// xPow2k[k] is x^(2^k) modulo the polynomial.
var xPow2k = func() (t [64]uint32) {
	p := uint32(1) << 30 // x^1
	for k := range t {
		t[k] = p
		p = gfMul(p, p)
	}
	return t
}()

// xPow8n is x^(8n) modulo the polynomial, by squaring: the product of
// x^(2^(k+3)) over the set bits k of n.
func xPow8n(n int64) uint32 {
	p := uint32(1) << 31 // x^0
	for k := 3; n != 0; k++ {
		if n&1 != 0 {
			p = gfMul(xPow2k[k], p)
		}
		n >>= 1
	}
	return p
}

// chunk is a piece of exposition text kept only in compressed form.
type chunk struct {
	deflate []byte // sync-flushed, self-contained deflate blocks
	crc     uint32 // CRC-32 of the text
	size    int64  // length of the text
	samples int    // series in the text, to leave out empty families
}

// compressor turns text into chunks, reusing its deflate state. Not safe
// for concurrent use.
type compressor struct {
	w   *flate.Writer
	out bytes.Buffer
}

func newCompressor() *compressor {
	c := &compressor{}
	c.w, _ = flate.NewWriter(&c.out, flate.BestSpeed)
	return c
}

// chunk compresses text into a chunk that can be concatenated with others.
func (c *compressor) chunk(text []byte, samples int) chunk {
	c.out.Reset()
	c.w.Reset(&c.out)
	c.w.Write(text)
	c.w.Flush()
	return chunk{
		deflate: bytes.Clone(c.out.Bytes()),
		crc:     crc32.ChecksumIEEE(text),
		size:    int64(len(text)),
		samples: samples,
	}
}

// final compresses text as the last piece of a stream.
func (c *compressor) final(text []byte) []byte {
	c.out.Reset()
	c.w.Reset(&c.out)
	c.w.Write(text)
	c.w.Close()
	return c.out.Bytes()
}
