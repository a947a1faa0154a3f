package ui

import (
	"context"
	"fmt"
	"sync"
)

// errBusy is returned when a job is started while another one runs.
type errBusy struct{ running string }

// Error says what is running.
func (e errBusy) Error() string {
	return fmt.Sprintf("%s is still running; stop it first", e.running)
}

// runner owns the one background job of the studio (a generation, a model
// load): its context, so Stop can cancel it, and its end, so Wait can block
// on it. A second Start while a job runs is refused.
type runner struct {
	base context.Context
	// idle, if set, is called on the job's goroutine after each job ends
	// and the runner is free again.
	idle func()

	mu     sync.Mutex
	name   string
	cancel context.CancelFunc
	done   chan struct{}
}

// newRunner returns a runner whose jobs are cancelled with base; idle
// (may be nil) is called after each job, once the runner is free.
func newRunner(base context.Context, idle func()) *runner {
	return &runner{base: base, idle: idle}
}

// Start runs job on a new goroutine under a fresh context; name says what
// it is in errors and in the UI. It returns errBusy if a job is running.
func (r *runner) Start(name string, job func(ctx context.Context)) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.done != nil {
		return errBusy{running: r.name}
	}
	ctx, cancel := context.WithCancel(r.base)
	done := make(chan struct{})
	r.name, r.cancel, r.done = name, cancel, done
	go func() {
		defer func() {
			cancel()
			r.mu.Lock()
			r.name, r.cancel, r.done = "", nil, nil
			r.mu.Unlock()
			if r.idle != nil {
				r.idle()
			}
			close(done)
		}()
		job(ctx)
	}()
	return nil
}

// Running returns the name of the running job, or "".
func (r *runner) Running() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.name
}

// Stop cancels the running job (if any); it does not wait for it.
func (r *runner) Stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cancel != nil {
		r.cancel()
	}
}

// Wait blocks until no job is running.
func (r *runner) Wait() {
	for {
		r.mu.Lock()
		done := r.done
		r.mu.Unlock()
		if done == nil {
			return
		}
		<-done
	}
}
