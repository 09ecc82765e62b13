package main

// Reading values from the wire, strictly and with bounds (docs/PROTOCOL.md,
// "Reading" and "Bounds"): standard MessagePack read with the MessagePack
// library's decoder, the extensions of v2 and nothing else.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"regexp"
	"strconv"

	"github.com/vmihailenco/msgpack/v5"
	"github.com/vmihailenco/msgpack/v5/msgpcode"
)

// Bounds of decoding, the defaults of the reference hosts.
const (
	maxDepth          = 64
	maxElements       = 16_777_216
	maxValuesPerBatch = 33_554_432
)

// Refusal is a value or batch that protocol v2 does not accept, with the reason a host counts.
type Refusal struct {
	Reason string
	Detail string
}

func (r *Refusal) Error() string { return r.Reason + ": " + r.Detail }

func refuse(reason, format string, args ...any) error {
	return &Refusal{Reason: reason, Detail: fmt.Sprintf(format, args...)}
}

// reader decodes values from one buffer, counting the values it has read.
type reader struct {
	src    *bytes.Reader
	dec    *msgpack.Decoder
	values int
}

func newReader(data []byte) *reader {
	src := bytes.NewReader(data)
	return &reader{src: src, dec: msgpack.NewDecoder(src)}
}

// decodeValue reads one value that must fill data exactly.
func decodeValue(data []byte) (any, error) {
	r := newReader(data)
	v, err := r.value(1)
	if err != nil {
		return nil, err
	}
	if r.src.Len() != 0 {
		return nil, refuse("undecodable", "%d bytes after the value", r.src.Len())
	}
	return v, nil
}

func (r *reader) value(depth int) (any, error) {
	r.values++
	if r.values > maxValuesPerBatch {
		return nil, refuse("too-much-work", "more than %d values", maxValuesPerBatch)
	}
	c, err := r.dec.PeekCode()
	if err != nil {
		return nil, truncatedOr(err)
	}
	switch {
	case c == msgpcode.Nil:
		return nil, truncatedOr(r.dec.DecodeNil())
	case c == msgpcode.True || c == msgpcode.False:
		b, err := r.dec.DecodeBool()
		return b, truncatedOr(err)
	case msgpcode.IsFixedNum(c) || c == msgpcode.Int8 || c == msgpcode.Int16 ||
		c == msgpcode.Int32 || c == msgpcode.Int64:
		n, err := r.dec.DecodeInt64()
		if err != nil {
			return nil, truncatedOr(err)
		}
		return integer(big.NewInt(n)), nil
	case c == msgpcode.Uint8 || c == msgpcode.Uint16 || c == msgpcode.Uint32 || c == msgpcode.Uint64:
		n, err := r.dec.DecodeUint64()
		if err != nil {
			return nil, truncatedOr(err)
		}
		return integer(new(big.Int).SetUint64(n)), nil
	case c == msgpcode.Float || c == msgpcode.Double:
		f, err := r.dec.DecodeFloat64()
		return f, truncatedOr(err)
	case msgpcode.IsString(c):
		s, err := r.dec.DecodeString()
		return s, truncatedOr(err)
	case msgpcode.IsBin(c):
		b, err := r.dec.DecodeBytes()
		return b, truncatedOr(err)
	case msgpcode.IsFixedArray(c) || c == msgpcode.Array16 || c == msgpcode.Array32:
		return r.array(depth)
	case msgpcode.IsFixedMap(c) || c == msgpcode.Map16 || c == msgpcode.Map32:
		return r.object(depth)
	case msgpcode.IsExt(c):
		return r.extension(depth)
	}
	return nil, refuse("undecodable", "byte 0x%02x", c)
}

// integer is a number when it is safe, else a BigInt.
func integer(n *big.Int) any {
	if n.IsInt64() && n.Int64() <= maxSafe && n.Int64() >= -maxSafe {
		return n.Int64()
	}
	return BigInt{n}
}

func (r *reader) container(depth int, count int, minBytes int) error {
	if depth > maxDepth {
		return refuse("too-deep", "nesting deeper than %d", maxDepth)
	}
	if count > maxElements {
		return refuse("too-many-elements", "%d elements", count)
	}
	if count*minBytes > r.src.Len() {
		return refuse("truncated", "%d elements declared, %d bytes left", count, r.src.Len())
	}
	return nil
}

func (r *reader) array(depth int) (any, error) {
	n, err := r.dec.DecodeArrayLen()
	if err != nil {
		return nil, truncatedOr(err)
	}
	if err := r.container(depth, n, 1); err != nil {
		return nil, err
	}
	out := make([]any, 0, n)
	for i := 0; i < n; i++ {
		v, err := r.value(depth + 1)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func (r *reader) object(depth int) (any, error) {
	entries, err := r.entries(depth)
	if err != nil {
		return nil, err
	}
	o := &Object{Values: make(map[string]any, len(entries))}
	for _, e := range entries {
		switch k := e.Key.(type) {
		case string:
			o.Set(k, e.Value)
		case int64:
			o.Set(strconv.FormatInt(k, 10), e.Value)
		case BigInt:
			o.Set(k.String(), e.Value)
		default:
			return nil, refuse("undecodable", "a map key of type %T", k)
		}
	}
	return o, nil
}

// entries reads a map whose keys may be any value (the payload of extension 0x50).
func (r *reader) entries(depth int) ([]Entry, error) {
	n, err := r.dec.DecodeMapLen()
	if err != nil {
		return nil, truncatedOr(err)
	}
	if err := r.container(depth, n, 2); err != nil {
		return nil, err
	}
	out := make([]Entry, 0, n)
	for i := 0; i < n; i++ {
		k, err := r.value(depth + 1)
		if err != nil {
			return nil, err
		}
		v, err := r.value(depth + 1)
		if err != nil {
			return nil, err
		}
		out = append(out, Entry{k, v})
	}
	return out, nil
}

func (r *reader) extension(depth int) (any, error) {
	id, size, err := r.dec.DecodeExtHeader()
	if err != nil {
		return nil, truncatedOr(err)
	}
	if size > r.src.Len() {
		return nil, refuse("truncated", "extension of %d bytes, %d left", size, r.src.Len())
	}
	payload := make([]byte, size)
	if err := r.dec.ReadFull(payload); err != nil {
		return nil, truncatedOr(err)
	}
	bad := func(what string) error { return refuse("undecodable", "extension 0x%02x: %s", byte(id), what) }
	switch id {
	case extUndefined:
		if size != 1 || payload[0] != 0 {
			return nil, bad("not one byte 0")
		}
		return Undefined{}, nil
	case extDate:
		ms, ok := readDate(payload)
		if !ok {
			return nil, bad("not a timestamp")
		}
		return Date{ms}, nil
	case extBigInt:
		n, ok := readBigInt(payload)
		if !ok {
			return nil, bad("not a sign byte and a magnitude")
		}
		return BigInt{n}, nil
	case extTyped:
		if size == 0 || int(payload[0]) >= len(typedElements) ||
			(size-1)%typedElements[payload[0]].Size != 0 {
			return nil, bad("not whole elements of a known type")
		}
		if payload[0] == 0 {
			return payload[1:], nil
		}
		return Typed{Element: payload[0], Bytes: payload[1:]}, nil
	case extRef, extMap, extSet, extObjectRef:
		if depth > maxDepth {
			return nil, refuse("too-deep", "nesting deeper than %d", maxDepth)
		}
		inner := &reader{src: bytes.NewReader(payload), values: r.values}
		inner.dec = msgpack.NewDecoder(inner.src)
		var v any
		var err error
		if id == extMap {
			if c, _ := inner.dec.PeekCode(); !msgpcode.IsFixedMap(c) && c != msgpcode.Map16 && c != msgpcode.Map32 {
				return nil, bad("not a map")
			}
			v, err = inner.entries(depth + 1)
		} else {
			v, err = inner.value(depth + 1)
		}
		r.values = inner.values
		if err != nil {
			var refusal *Refusal
			if errors.As(err, &refusal) && refusal.Reason == "truncated" {
				return nil, bad("payload cut short")
			}
			return nil, err
		}
		if inner.src.Len() != 0 {
			return nil, bad("bytes after the payload's value")
		}
		return shaped(id, v, bad)
	}
	return nil, refuse("unknown-extension", "type 0x%02x", byte(id))
}

// objectIDPattern is what an object id may be (it may become a store key or subject token).
var objectIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// actorIDPattern is an actor id: a host id, a slash, a sequence number in base 36.
var actorIDPattern = regexp.MustCompile(`^.+/(0|[1-9a-z][0-9a-z]*)$`)

// shaped checks the one value inside a ref, object ref, Map or Set payload.
func shaped(id int8, v any, bad func(string) error) (any, error) {
	switch id {
	case extObjectRef:
		a, ok := v.([]any)
		if !ok || len(a) != 3 {
			return nil, bad("not [objectId, keeperActorId, durable]")
		}
		objectID, ok1 := a[0].(string)
		keeper, ok2 := a[1].(string)
		durable, ok3 := a[2].(bool)
		if !ok1 || !ok2 || !ok3 || !objectIDPattern.MatchString(objectID) ||
			len(keeper) > 256 || !actorIDPattern.MatchString(keeper) {
			return nil, bad("not [objectId, keeperActorId, durable] with well-formed ids")
		}
		return ObjectRef{ID: objectID, Keeper: keeper, Durable: durable}, nil
	case extRef:
		a, ok := v.([]any)
		if !ok || len(a) < 2 || len(a) > 3 {
			return nil, bad("not [id, type] or [id, type, name]")
		}
		ref := Ref{}
		fields := []*string{&ref.ID, &ref.Type, &ref.Name}
		for i, f := range a {
			s, ok := f.(string)
			if !ok {
				return nil, bad("a field that is not a string")
			}
			*fields[i] = s
		}
		return ref, nil
	case extSet:
		a, ok := v.([]any)
		if !ok {
			return nil, bad("not an array")
		}
		return Set(a), nil
	}
	return Map(v.([]Entry)), nil
}

func truncatedOr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return refuse("truncated", "the bytes end inside a value")
	}
	return refuse("undecodable", "%v", err)
}

// asInteger reads an integer field: an int of any width, or a float 64 holding a whole number.
func asInteger(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case float64:
		if n == math.Trunc(n) && math.Abs(n) <= maxSafe {
			return int64(n), true
		}
	}
	return 0, false
}
