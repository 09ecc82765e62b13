package main

// Identity checks of the inbox, with bytes and no server: a batch counts
// only when its header names the subject's sender, and a reply only when it
// comes from the host that was asked.

import (
	"fmt"
	"testing"
)

func testMember() *Member {
	subjects, _ := newSubjects("actors", "c", "go-1")
	return &Member{subjects: subjects, asks: map[int64]*pendingAsk{}, refused: map[string]int{},
		deliveries: make(chan Delivery, 8)}
}

func batchFrom(t *testing.T, sender string, frames ...*Object) []byte {
	data, err := encodeBatch(sender, frames...)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestABatchWhoseHeaderNamesAnotherSenderIsDroppedAndCounted(t *testing.T) {
	m := testMember()
	tell := NewObject("kind", "tell", "to", "go-1/0", "name", "hi", "body", "x")
	m.onBatchData("actors.c.h2.to.go-1", batchFrom(t, "h1", tell))
	if len(m.deliveries) != 0 || m.refused["sender-mismatch"] != 1 {
		t.Fatalf("delivered %d, refused %v", len(m.deliveries), m.refused)
	}
	m.onBatchData("actors.c.h1.to.go-1", batchFrom(t, "h1", tell))
	if d := <-m.deliveries; d.From != "h1" || d.Name != "hi" {
		t.Fatalf("delivered %+v", d)
	}
}

func TestAReplyCountsOnlyFromTheAskedHost(t *testing.T) {
	m := testMember()
	pending := &pendingAsk{host: "h1", result: make(chan AskResult, 1)}
	m.asks[42] = pending
	reply := NewObject("kind", "reply", "correlation", int64(42), "body", "forged")
	m.onBatchData("actors.c.h2.to.go-1", batchFrom(t, "h2", reply))
	if len(pending.result) != 0 || m.refused["reply-from-other-host"] != 1 {
		t.Fatalf("a reply from h2 was taken: refused %v", m.refused)
	}
	reply.Set("body", "real")
	m.onBatchData("actors.c.h1.to.go-1", batchFrom(t, "h1", reply))
	if r := <-pending.result; !r.OK || r.Reply != "real" {
		t.Fatalf("got %+v", r)
	}
}

func TestCorrelationIdsAreSafeIntegersThatDoNotRepeat(t *testing.T) {
	seen := map[int64]bool{}
	for i := 0; i < 1000; i++ {
		c := randomCorrelation()
		if c < 0 || c > maxSafe || seen[c] {
			t.Fatalf("correlation %d", c)
		}
		seen[c] = true
	}
}

func TestAChunkedTellIsAcknowledgedChunkByChunkAndALostChunkCancelsIt(t *testing.T) {
	m := testMember()
	envelope, err := encodeFrame(NewObject("kind", "tell", "to", "go-1/0", "name", "hi",
		"body", make([]byte, 40)))
	if err != nil {
		t.Fatal(err)
	}
	start := NewObject("kind", "chunkStart", "transfer", int64(1), "bytes", int64(len(envelope)),
		"of", "tell", "target", "go-1/0", "align", int64(0))
	chunk := func(transfer int64, from, to int) *Object {
		return NewObject("kind", "chunk", "transfer", transfer, "offset", int64(from),
			"data", envelope[from:to])
	}
	m.onBatchData("actors.c.h1.to.go-1", batchFrom(t, "h1", start, chunk(1, 0, 20)))
	m.onBatchData("actors.c.h1.to.go-1", batchFrom(t, "h1", chunk(1, 20, len(envelope))))
	if d := <-m.deliveries; d.From != "h1" || d.Name != "hi" || len(d.Body.([]byte)) != 40 {
		t.Fatalf("delivered %+v", d)
	}
	start.Set("transfer", int64(2))
	m.onBatchData("actors.c.h1.to.go-1", batchFrom(t, "h1", start, chunk(2, 20, 30)))
	kinds := []string{}
	for _, f := range m.outbox {
		kinds = append(kinds, f.String("kind")+" "+f.String("reason"))
	}
	if fmt.Sprint(kinds) != "[chunkAck  chunkAck  chunkCancel lost-chunk]" || len(m.transfers) != 0 {
		t.Fatalf("sent %v, open %d", kinds, len(m.transfers))
	}
}
