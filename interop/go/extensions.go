package main

// The extension types of protocol v2 and their payload layouts
// (docs/PROTOCOL.md, "Extensions"). Every payload is the whole value.

import (
	"encoding/binary"
	"math/big"
)

const (
	extUndefined int8 = 0x00
	extDate      int8 = -1
	extRef       int8 = 0x41
	extBigInt    int8 = 0x42
	extObjectRef int8 = 0x4f
	extMap       int8 = 0x50
	extSet       int8 = 0x53
	extTyped     int8 = 0x54
)

// Element types of extension 0x54, by their JavaScript names, and their sizes in bytes.
var typedElements = []struct {
	Name string
	Size int
}{
	{"Uint8Array", 1}, {"Int8Array", 1}, {"Uint8ClampedArray", 1}, {"Int16Array", 2},
	{"Uint16Array", 2}, {"Int32Array", 4}, {"Uint32Array", 4}, {"Float32Array", 4},
	{"Float64Array", 8}, {"BigInt64Array", 8}, {"BigUint64Array", 8}, {"Float16Array", 2},
}

// bigIntPayload is a sign byte then the magnitude big-endian without leading zeros.
func bigIntPayload(n *big.Int) []byte {
	sign := byte(0)
	if n.Sign() < 0 {
		sign = 1
	}
	return append([]byte{sign}, new(big.Int).Abs(n).Bytes()...)
}

func readBigInt(payload []byte) (*big.Int, bool) {
	if len(payload) == 0 || payload[0] > 1 || (len(payload) > 1 && payload[1] == 0) {
		return nil, false
	}
	n := new(big.Int).SetBytes(payload[1:])
	if payload[0] == 1 {
		if n.Sign() == 0 {
			return nil, false
		}
		n.Neg(n)
	}
	return n, true
}

// datePayload is the standard timestamp: 32, 64 or 96 bits, the smallest that holds it.
func datePayload(ms int64) []byte {
	sec := floorDiv(ms, 1000)
	nsec := uint32((ms - sec*1000) * 1_000_000)
	switch {
	case nsec == 0 && sec >= 0 && sec < 1<<32:
		return binary.BigEndian.AppendUint32(nil, uint32(sec))
	case sec >= 0 && sec < 1<<34:
		return binary.BigEndian.AppendUint64(nil, uint64(nsec)<<34|uint64(sec))
	default:
		b := binary.BigEndian.AppendUint32(nil, nsec)
		return binary.BigEndian.AppendUint64(b, uint64(sec))
	}
}

func readDate(payload []byte) (int64, bool) {
	var sec int64
	var nsec int64
	switch len(payload) {
	case 4:
		sec = int64(binary.BigEndian.Uint32(payload))
	case 8:
		v := binary.BigEndian.Uint64(payload)
		nsec, sec = int64(v>>34), int64(v&(1<<34-1))
	case 12:
		nsec, sec = int64(binary.BigEndian.Uint32(payload)), int64(binary.BigEndian.Uint64(payload[4:]))
	default:
		return 0, false
	}
	return sec*1000 + floorDiv(nsec, 1_000_000), true
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
