package main

// Writing values as the reference hosts do (docs/PROTOCOL.md, "Values"):
// the smallest int, str and ext formats, float 64 for every other number,
// with the MessagePack library's encoder.

import (
	"bytes"
	"fmt"
	"math"
	"math/big"

	"github.com/vmihailenco/msgpack/v5"
)

// encodeValue writes one value.
func encodeValue(v any) ([]byte, error) {
	var buf bytes.Buffer
	if err := writeValue(msgpack.NewEncoder(&buf), v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func writeValue(e *msgpack.Encoder, v any) error {
	switch v := v.(type) {
	case nil:
		return e.EncodeNil()
	case bool:
		return e.EncodeBool(v)
	case int:
		return writeNumber(e, float64(v), int64(v))
	case int64:
		return writeNumber(e, float64(v), v)
	case float64:
		return writeNumber(e, v, int64(v))
	case string:
		return e.EncodeString(v)
	case []byte:
		return e.EncodeBytes(v)
	case []any:
		if err := e.EncodeArrayLen(len(v)); err != nil {
			return err
		}
		for _, x := range v {
			if err := writeValue(e, x); err != nil {
				return err
			}
		}
		return nil
	case *Object:
		if err := e.EncodeMapLen(len(v.Keys)); err != nil {
			return err
		}
		for _, k := range v.Keys {
			if err := e.EncodeString(k); err != nil {
				return err
			}
			if err := writeValue(e, v.Values[k]); err != nil {
				return err
			}
		}
		return nil
	case Undefined:
		return writeExt(e, extUndefined, []byte{0})
	case Date:
		return writeExt(e, extDate, datePayload(v.Ms))
	case BigInt:
		return writeExt(e, extBigInt, bigIntPayload(v.Int))
	case Typed:
		return writeExt(e, extTyped, append([]byte{v.Element}, v.Bytes...))
	case Ref:
		fields := []any{v.ID, v.Type}
		if v.Name != "" {
			fields = append(fields, v.Name)
		}
		return writeNested(e, extRef, fields)
	case ObjectRef:
		return writeNested(e, extObjectRef, []any{v.ID, v.Keeper, v.Durable})
	case Set:
		return writeNested(e, extSet, []any(v))
	case Map:
		var buf bytes.Buffer
		inner := msgpack.NewEncoder(&buf)
		if err := inner.EncodeMapLen(len(v)); err != nil {
			return err
		}
		for _, entry := range v {
			if err := writeValue(inner, entry.Key); err != nil {
				return err
			}
			if err := writeValue(inner, entry.Value); err != nil {
				return err
			}
		}
		return writeExt(e, extMap, buf.Bytes())
	}
	return fmt.Errorf("no wire form for a Go %T", v)
}

// writeNumber writes a safe integer in the smallest int format, anything else as float 64.
func writeNumber(e *msgpack.Encoder, f float64, n int64) error {
	if f == math.Trunc(f) && math.Abs(f) <= maxSafe && float64(n) == f {
		return e.EncodeInt(n)
	}
	return e.EncodeFloat64(f)
}

// writeNested writes an extension whose payload is one MessagePack value.
func writeNested(e *msgpack.Encoder, id int8, v any) error {
	payload, err := encodeValue(v)
	if err != nil {
		return err
	}
	return writeExt(e, id, payload)
}

// writeExt writes the smallest header (fixext 1/2/4/8/16, else ext 8/16/32) and the payload.
func writeExt(e *msgpack.Encoder, id int8, payload []byte) error {
	if err := e.EncodeExtHeader(id, len(payload)); err != nil {
		return err
	}
	_, err := e.Writer().Write(payload)
	return err
}

// newBigInt parses a decimal integer.
func newBigInt(decimal string) (BigInt, bool) {
	n, ok := new(big.Int).SetString(decimal, 10)
	return BigInt{n}, ok
}
