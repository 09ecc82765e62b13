package main

// The values of protocol v2 as Go types (docs/PROTOCOL.md, "Values").
// Standard MessagePack maps to nil, bool, int64, float64, string, []byte,
// []any and *Object; each extension has a type of its own.

import "math/big"

// Undefined is JavaScript's undefined (extension 0x00).
type Undefined struct{}

// Ref is an actor ref (extension 0x41): the actor's id, its type and maybe its name.
type Ref struct {
	ID   string
	Type string
	Name string
}

// ObjectRef is an object ref (extension 0x4f): the object's id, the actor id
// of the keeper on the host that holds it, and whether it is durable.
type ObjectRef struct {
	ID      string
	Keeper  string
	Durable bool
}

// Set is a JavaScript Set (extension 0x53), its members in order.
type Set []any

// Entry is one key and value of a Map.
type Entry struct {
	Key   any
	Value any
}

// Map is a JavaScript Map (extension 0x50): keys of any type, in order.
type Map []Entry

// Typed is a typed array (extension 0x54): its element type and its little-endian bytes.
type Typed struct {
	Element byte
	Bytes   []byte
}

// BigInt is a JavaScript bigint (extension 0x42); integers beyond ±(2^53 - 1) read from
// int formats are BigInts too.
type BigInt struct{ *big.Int }

// Date is a JavaScript Date (timestamp extension -1), in milliseconds since 1970.
type Date struct{ Ms int64 }

// Object is a MessagePack map with string keys, in the order they were written.
type Object struct {
	Keys   []string
	Values map[string]any
}

// NewObject builds an Object from keys and values given in turn: NewObject("a", 1, "b", 2).
func NewObject(pairs ...any) *Object {
	o := &Object{Values: map[string]any{}}
	for i := 0; i+1 < len(pairs); i += 2 {
		o.Set(pairs[i].(string), pairs[i+1])
	}
	return o
}

// Set adds or replaces a field, keeping the first position of its key.
func (o *Object) Set(key string, value any) {
	if _, ok := o.Values[key]; !ok {
		o.Keys = append(o.Keys, key)
	}
	o.Values[key] = value
}

// Get reads a field; nil when absent.
func (o *Object) Get(key string) any {
	if o == nil {
		return nil
	}
	return o.Values[key]
}

// String reads a string field; "" when absent or not a string.
func (o *Object) String(key string) string {
	s, _ := o.Get(key).(string)
	return s
}

// maxSafe is 2^53 - 1, the largest integer a JavaScript number holds exactly.
const maxSafe = 1<<53 - 1
