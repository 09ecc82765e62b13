package main

// The golden vectors (docs/protocol-vectors/) checked in both directions with
// this client's own codec: `goclient vectors <dir>`.

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
)

// VectorResult is one vector's outcome.
type VectorResult struct {
	File    string `json:"file"`
	Name    string `json:"name"`
	Problem string `json:"problem,omitempty"`
}

func checkVectors(dir string) ([]VectorResult, error) {
	checks := []struct {
		file  string
		check func(*Object) string
	}{
		{"values.json", checkValueBothWays},
		{"extensions.json", checkValueBothWays},
		{"control.json", checkValueBothWays},
		{"wide_integers.json", checkValueDecodes},
		{"frames.json", checkFrame},
		{"batches.json", checkBatch},
		{"refusals.json", checkRefusal},
		{"chunked.json", checkChunked},
	}
	var results []VectorResult
	for _, c := range checks {
		data, err := os.ReadFile(filepath.Join(dir, c.file))
		if err != nil {
			return nil, err
		}
		parsed, err := parseJSON(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.file, err)
		}
		for _, v := range parsed.([]any) {
			vector := v.(*Object)
			results = append(results, VectorResult{c.file, vector.String("name"), c.check(vector)})
		}
	}
	return results, nil
}

func vectorBytes(vector *Object) []byte {
	b, _ := hex.DecodeString(vector.String("hex"))
	return b
}

func checkValueDecodes(vector *Object) string {
	got, err := decodeValue(vectorBytes(vector))
	if err != nil {
		return "decode: " + err.Error()
	}
	return sameJSON(toTagged(got), vector.Get("value"))
}

func checkValueBothWays(vector *Object) string {
	if problem := checkValueDecodes(vector); problem != "" {
		return problem
	}
	value, err := fromTagged(vector.Get("value"))
	if err != nil {
		return "value: " + err.Error()
	}
	return sameHex(encodeValue(value))(vector.String("hex"))
}

func checkFrame(vector *Object) string {
	frame, err := fromTagged(vector.Get("frame"))
	if err != nil {
		return "frame: " + err.Error()
	}
	if problem := sameHex(encodeFrame(frame.(*Object)))(vector.String("hex")); problem != "" {
		return problem
	}
	batch := decodeBatch(append([]byte{protocolVersion, 2, 'h', '1'}, vectorBytes(vector)...))
	if len(batch.Frames) != 1 || len(batch.Refused) != 0 {
		return fmt.Sprintf("decoded %d frames, refused %v", len(batch.Frames), batch.Refused)
	}
	return sameJSON(toTagged(batch.Frames[0]), vector.Get("frame"))
}

func checkBatch(vector *Object) string {
	var frames []*Object
	for _, f := range vector.Get("frames").([]any) {
		frame, err := fromTagged(f)
		if err != nil {
			return "frame: " + err.Error()
		}
		frames = append(frames, frame.(*Object))
	}
	if problem := sameHex(encodeBatch(vector.String("sender"), frames...))(vector.String("hex")); problem != "" {
		return problem
	}
	batch := decodeBatch(vectorBytes(vector))
	if batch.Sender != vector.String("sender") || len(batch.Refused) != 0 {
		return fmt.Sprintf("sender %q, refused %v", batch.Sender, batch.Refused)
	}
	tagged := []any{}
	for _, f := range batch.Frames {
		tagged = append(tagged, toTagged(f))
	}
	return sameJSON(tagged, vector.Get("frames"))
}

func checkRefusal(vector *Object) string {
	if vector.String("as") == "value" {
		_, err := decodeValue(vectorBytes(vector))
		var refusal *Refusal
		if !errors.As(err, &refusal) {
			return fmt.Sprintf("not refused (%v)", err)
		}
		if refusal.Reason != vector.String("refuse") {
			return fmt.Sprintf("refused as %s (%s), not %s", refusal.Reason, refusal.Detail, vector.String("refuse"))
		}
		return ""
	}
	batch := decodeBatch(vectorBytes(vector))
	want := []string{}
	for _, r := range vector.Get("rejects").([]any) {
		want = append(want, r.(string))
	}
	frames, _ := asInteger(mustTagged(vector.Get("frames")))
	if !reflect.DeepEqual(append([]string{}, batch.Refused...), want) || int64(len(batch.Frames)) != frames {
		return fmt.Sprintf("refused %v with %d frames, not %v with %d", batch.Refused, len(batch.Frames), want, frames)
	}
	return ""
}

func mustTagged(v any) any {
	x, _ := fromTagged(v)
	return x
}

func sameHex(got []byte, err error) func(string) string {
	return func(want string) string {
		if err != nil {
			return "encode: " + err.Error()
		}
		if hex.EncodeToString(got) != want {
			return fmt.Sprintf("encoded %x, not %s", got, want)
		}
		return ""
	}
}

// sameJSON compares two JSON forms, numbers by value.
func sameJSON(got, want any) string {
	g, err1 := json.Marshal(numbersAsFloats(got))
	w, err2 := json.Marshal(numbersAsFloats(want))
	if err1 != nil || err2 != nil {
		return fmt.Sprintf("not comparable: %v %v", err1, err2)
	}
	if string(g) != string(w) {
		return fmt.Sprintf("decoded %s, not %s", g, w)
	}
	return ""
}

func numbersAsFloats(v any) any {
	switch v := v.(type) {
	case json.Number:
		f, _ := v.Float64()
		return f
	case int64:
		return float64(v)
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = numbersAsFloats(x)
		}
		return out
	case *Object:
		o := NewObject()
		for _, k := range v.Keys {
			o.Set(k, numbersAsFloats(v.Values[k]))
		}
		return o
	}
	return v
}

// checkChunked feeds a chunked envelope to a member as batches and checks
// the frames 10 it answers and the tell it delivers.
func checkChunked(vector *Object) string {
	m := &Member{refused: map[string]int{}, deliveries: make(chan Delivery, 1)}
	sender := vector.String("sender")
	subject := "actors.c." + sender + ".to.h2"
	m.subjects, _ = newSubjects("actors", "c", "h2")
	start, _ := hex.DecodeString(vector.String("start"))
	m.onBatchData(subject, start)
	for _, c := range vector.Get("chunks").([]any) {
		data, _ := hex.DecodeString(c.(string))
		m.onBatchData(subject, data)
	}
	acks := []any{}
	for _, f := range m.outbox {
		acks = append(acks, toTagged(f))
	}
	if problem := sameJSON(acks, vector.Get("acks")); problem != "" {
		return "acks: " + problem
	}
	if len(m.deliveries) != 1 {
		return fmt.Sprintf("%d deliveries, refused %v", len(m.deliveries), m.refused)
	}
	d := <-m.deliveries
	frame := vector.Get("frame").(*Object)
	if d.To != frame.String("to") || d.Name != frame.String("name") {
		return fmt.Sprintf("delivered %+v", d)
	}
	return sameJSON(toTagged(d.Body), frame.Get("body"))
}
