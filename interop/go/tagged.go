package main

// Values as JSON, with the tags of the golden vectors
// (docs/protocol-vectors/README.md): {"$bigint": "5"}, {"$ref": "h1/2", "type": "t"}, ...
// The client prints what it receives in this form, and the vector checks
// compare with it.

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// MarshalJSON writes the fields in their order.
func (o *Object) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, k := range o.Keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		key, _ := json.Marshal(k)
		buf.Write(key)
		buf.WriteByte(':')
		value, err := json.Marshal(o.Values[k])
		if err != nil {
			return nil, err
		}
		buf.Write(value)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// parseJSON reads JSON keeping the order of object keys; numbers stay json.Number.
func parseJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := parseJSONValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("data after the JSON value")
	}
	return v, nil
}

func parseJSONValue(dec *json.Decoder) (any, error) {
	t, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t {
	case json.Delim('['):
		out := []any{}
		for dec.More() {
			v, err := parseJSONValue(dec)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		_, err := dec.Token()
		return out, err
	case json.Delim('{'):
		o := NewObject()
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return nil, err
			}
			v, err := parseJSONValue(dec)
			if err != nil {
				return nil, err
			}
			o.Set(k.(string), v)
		}
		_, err := dec.Token()
		return o, err
	}
	return t, nil
}

// toTagged turns a wire value into its JSON form.
func toTagged(v any) any {
	switch v := v.(type) {
	case []byte:
		return NewObject("$bin", hex.EncodeToString(v))
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = toTagged(x)
		}
		return out
	case *Object:
		o := NewObject()
		dollar := false
		for _, k := range v.Keys {
			dollar = dollar || strings.HasPrefix(k, "$")
			o.Set(k, toTagged(v.Values[k]))
		}
		if dollar {
			return NewObject("$object", o)
		}
		return o
	case Undefined:
		return NewObject("$undefined", true)
	case BigInt:
		return NewObject("$bigint", v.String())
	case Date:
		return NewObject("$date", v.Ms)
	case Ref:
		o := NewObject("$ref", v.ID, "type", v.Type)
		if v.Name != "" {
			o.Set("name", v.Name)
		}
		return o
	case ObjectRef:
		return NewObject("$objectRef", v.ID, "keeper", v.Keeper, "durable", v.Durable)
	case Set:
		return NewObject("$set", toTagged([]any(v)))
	case Map:
		entries := []any{}
		for _, e := range v {
			entries = append(entries, []any{toTagged(e.Key), toTagged(e.Value)})
		}
		return NewObject("$map", entries)
	case Typed:
		return NewObject("$typed", typedElements[v.Element].Name, "values", typedValues(v))
	}
	return v
}

// fromTagged turns the JSON form (as parseJSON reads it) into a wire value.
func fromTagged(v any) (any, error) {
	switch v := v.(type) {
	case json.Number:
		if n, err := v.Int64(); err == nil && n <= maxSafe && n >= -maxSafe {
			return n, nil
		}
		return v.Float64()
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			y, err := fromTagged(x)
			if err != nil {
				return nil, err
			}
			out[i] = y
		}
		return out, nil
	case *Object:
		return fromTaggedObject(v)
	}
	return v, nil
}

func fromTaggedObject(o *Object) (any, error) {
	if len(o.Keys) == 0 || !strings.HasPrefix(o.Keys[0], "$") {
		out := NewObject()
		for _, k := range o.Keys {
			x, err := fromTagged(o.Values[k])
			if err != nil {
				return nil, err
			}
			out.Set(k, x)
		}
		return out, nil
	}
	switch o.Keys[0] {
	case "$object":
		inner, _ := o.Get("$object").(*Object)
		return fromTaggedObject(&Object{Keys: append([]string{}, inner.Keys...), Values: inner.Values})
	case "$undefined":
		return Undefined{}, nil
	case "$bigint":
		n, ok := newBigInt(o.String("$bigint"))
		if !ok {
			return nil, fmt.Errorf("bad $bigint")
		}
		return n, nil
	case "$date":
		ms, err := o.Get("$date").(json.Number).Int64()
		return Date{ms}, err
	case "$bin":
		return hex.DecodeString(o.String("$bin"))
	case "$ref":
		return Ref{ID: o.String("$ref"), Type: o.String("type"), Name: o.String("name")}, nil
	case "$objectRef":
		durable, _ := o.Get("durable").(bool)
		return ObjectRef{ID: o.String("$objectRef"), Keeper: o.String("keeper"), Durable: durable}, nil
	case "$set":
		members, err := fromTagged(o.Get("$set"))
		if err != nil {
			return nil, err
		}
		return Set(members.([]any)), nil
	case "$map":
		m := Map{}
		for _, e := range o.Get("$map").([]any) {
			pair, err := fromTagged(e)
			if err != nil {
				return nil, err
			}
			m = append(m, Entry{pair.([]any)[0], pair.([]any)[1]})
		}
		return m, nil
	case "$typed":
		return typedFrom(o.String("$typed"), o.Get("values").([]any))
	}
	return nil, fmt.Errorf("unknown tag %s", o.Keys[0])
}

// typedValues lists a typed array's elements: numbers, or decimal strings for 64-bit integers.
func typedValues(t Typed) []any {
	size := typedElements[t.Element].Size
	out := []any{}
	for i := 0; i+size <= len(t.Bytes); i += size {
		b := t.Bytes[i : i+size]
		var v any
		switch t.Element {
		case 1:
			v = int64(int8(b[0]))
		case 2:
			v = int64(b[0])
		case 3:
			v = int64(int16(binary.LittleEndian.Uint16(b)))
		case 4:
			v = int64(binary.LittleEndian.Uint16(b))
		case 5:
			v = int64(int32(binary.LittleEndian.Uint32(b)))
		case 6:
			v = int64(binary.LittleEndian.Uint32(b))
		case 7:
			v = float64(math.Float32frombits(binary.LittleEndian.Uint32(b)))
		case 8:
			v = math.Float64frombits(binary.LittleEndian.Uint64(b))
		case 9:
			v = strconv.FormatInt(int64(binary.LittleEndian.Uint64(b)), 10)
		case 10:
			v = strconv.FormatUint(binary.LittleEndian.Uint64(b), 10)
		default:
			v = nil // Float16 elements are carried, not interpreted, by this client
		}
		out = append(out, v)
	}
	return out
}

func typedFrom(name string, values []any) (Typed, error) {
	for code, el := range typedElements {
		if el.Name != name {
			continue
		}
		out := Typed{Element: byte(code)}
		for _, v := range values {
			b := make([]byte, el.Size)
			switch x := v.(type) {
			case json.Number:
				f, _ := x.Float64()
				switch code {
				case 7:
					binary.LittleEndian.PutUint32(b, math.Float32bits(float32(f)))
				case 8:
					binary.LittleEndian.PutUint64(b, math.Float64bits(f))
				default:
					n := int64(f)
					for i := range b {
						b[i] = byte(n >> (8 * i))
					}
				}
			case string:
				n, ok := new(big.Int).SetString(x, 10)
				if !ok {
					return out, fmt.Errorf("bad element %q", x)
				}
				if n.Sign() < 0 {
					binary.LittleEndian.PutUint64(b, uint64(n.Int64()))
				} else {
					binary.LittleEndian.PutUint64(b, n.Uint64())
				}
			}
			out.Bytes = append(out.Bytes, b...)
		}
		return out, nil
	}
	return Typed{}, fmt.Errorf("unknown typed array %s", name)
}
