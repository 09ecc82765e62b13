// Command goclient is a small client of the actor cluster's wire protocol v2,
// written from docs/PROTOCOL.md and its golden vectors. See README.md.
//
//	goclient vectors <dir>
//	goclient --nats URL --cluster NAME --id ID [--prefix actors] <command> ...
//
// Every command prints one JSON line on stdout.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"
)

func main() {
	out, err := run(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "goclient:", err)
		os.Exit(1)
	}
	line, err := json.Marshal(out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "goclient:", err)
		os.Exit(1)
	}
	fmt.Println(string(line))
}

func run(args []string) (any, error) {
	if len(args) == 2 && args[0] == "vectors" {
		return checkVectors(args[1])
	}
	global := flag.NewFlagSet("goclient", flag.ContinueOnError)
	url := global.String("nats", "nats://127.0.0.1:4222", "NATS server URL")
	cluster := global.String("cluster", "default", "cluster name")
	prefix := global.String("prefix", "actors", "subject prefix")
	id := global.String("id", "go", "this member's id (a subject token)")
	wait := global.Duration("wait", 10*time.Second, "how long to wait for a host or an answer")
	if err := global.Parse(args); err != nil {
		return nil, err
	}
	if global.NArg() == 0 {
		return nil, errors.New("a command is needed: hosts, tell, ask, spawn, inspect, vectors")
	}
	m, err := join(*url, *prefix, *cluster, *id)
	if err != nil {
		return nil, err
	}
	defer m.Leave()
	return command(m, global.Arg(0), global.Args()[1:], *wait)
}

// command runs one subcommand as a member of the cluster.
func command(m *Member, name string, args []string, wait time.Duration) (any, error) {
	flags := flag.NewFlagSet(name, flag.ContinueOnError)
	refField := flags.String("ref", "", "put a ref of a Go pseudo-actor in this body field and wait for one message to it")
	spawnName := flags.String("name", "", "spawn: the actor's name")
	spawnArgs := flags.String("args", "", "spawn: the args, as tagged JSON")
	recent := flags.Int64("recent", 10, "inspect: how many recent dead letters and deaths")
	if err := flags.Parse(args); err != nil {
		return nil, err
	}
	positional := flags.Args()
	need := func(n int, usage string) error {
		if len(positional) != n {
			return fmt.Errorf("usage: %s %s", name, usage)
		}
		return nil
	}
	// Act once the target host has announced itself after this member's
	// discovery request: it has heard this member's announcement by then.
	if target := targetHost(name, positional); target != "" {
		if err := m.waitForHost(target, wait); err != nil {
			return nil, err
		}
	}
	switch name {
	case "hosts":
		// Every host answers the discovery request; give the slower ones two heartbeats more.
		deadline := time.Now().Add(wait)
		for len(m.Hosts()) == 0 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(2 * heartbeatInterval)
		return m.Hosts(), nil
	case "tell", "ask":
		if err := need(3, "[--ref FIELD] ACTOR NAME BODY_JSON"); err != nil {
			return nil, err
		}
		body, err := taggedArg(positional[2])
		if err != nil {
			return nil, err
		}
		var ref Ref
		if *refField != "" {
			object, ok := body.(*Object)
			if !ok {
				return nil, errors.New("--ref needs a body that is a JSON object")
			}
			ref = m.NewActor("go-client")
			object.Set(*refField, ref)
		}
		out := NewObject("ok", true)
		if name == "tell" {
			err = m.Tell(positional[0], positional[1], body)
		} else {
			var result AskResult
			result, err = m.Ask(positional[0], positional[1], body, wait)
			out = NewObject("ok", result.OK)
			if result.OK {
				out.Set("reply", toTagged(result.Reply))
			} else {
				out.Set("error", toTagged(result.Error))
			}
		}
		if err != nil {
			return nil, err
		}
		if *refField != "" {
			out.Set("ref", ref.ID)
			out.Set("received", m.receive(ref.ID, wait))
		}
		return out, nil
	case "spawn":
		if err := need(2, "[--name NAME] [--args JSON] HOST TYPE"); err != nil {
			return nil, err
		}
		request := SpawnRequest{Type: positional[1], Name: *spawnName}
		if *spawnArgs != "" {
			a, err := taggedArg(*spawnArgs)
			if err != nil {
				return nil, err
			}
			request.Args = a
		}
		answer, err := m.Spawn(positional[0], request, wait)
		if err != nil {
			return nil, err
		}
		return toTagged(answer), nil
	case "inspect":
		if err := need(1, "[--recent N] HOST"); err != nil {
			return nil, err
		}
		answer, err := m.Inspect(positional[0], *recent, wait)
		if err != nil {
			return nil, err
		}
		return toTagged(answer), nil
	}
	return nil, fmt.Errorf("unknown command %q", name)
}

// targetHost is the host a command talks to: an actor's host, or the host named.
func targetHost(command string, positional []string) string {
	if len(positional) == 0 {
		return ""
	}
	switch command {
	case "tell", "ask":
		host, _ := hostOf(positional[0])
		return host
	case "spawn", "inspect":
		return positional[0]
	}
	return ""
}

// receive waits for the first tell to a pseudo-actor; nil when none came within wait.
func (m *Member) receive(actor string, wait time.Duration) any {
	deadline := time.After(wait)
	for {
		select {
		case d := <-m.deliveries:
			if d.To == actor {
				d.Body = toTagged(d.Body)
				return d
			}
		case <-deadline:
			return nil
		}
	}
}

func taggedArg(text string) (any, error) {
	parsed, err := parseJSON([]byte(text))
	if err != nil {
		return nil, fmt.Errorf("bad JSON %q: %w", text, err)
	}
	return fromTagged(parsed)
}
