package ui

import (
	"context"
	"fmt"
	"sync"
)

// errBusy is returned when a job is started while another one runs.
type errBusy struct {
	running string
	// unstoppable is set when the job running does not heed Stop (a model
	// load): the message says to wait for it, not to stop it.
	unstoppable bool
	// then, when set, is what to do once the job has ended ("open the
	// picture"): the message says how to stop it (Image › Stop, Ctrl+.).
	then string
}

// Error says what is running and what to do about it: stop it, or wait
// for a job that Stop does not end.
func (e errBusy) Error() string {
	switch {
	case e.then == "" && e.unstoppable:
		return fmt.Sprintf("%s is still running; wait for it", e.running)
	case e.then == "":
		return fmt.Sprintf("%s is still running; stop it first", e.running)
	case e.unstoppable:
		return fmt.Sprintf("Tessera is %s: wait for it, then %s", e.running, e.then)
	}
	return fmt.Sprintf("Tessera is %s: Stop it first (Image › Stop, Ctrl+.), then %s", e.running, e.then)
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
	// unstoppable is set while the job running does not heed Stop.
	unstoppable bool
}

// newRunner returns a runner whose jobs are cancelled with base; idle
// (may be nil) is called after each job, once the runner is free.
func newRunner(base context.Context, idle func()) *runner {
	return &runner{base: base, idle: idle}
}

// Start runs job on a new goroutine under a fresh context, which Stop
// cancels; name says what it is in errors and in the UI. It returns
// errBusy if a job is running.
func (r *runner) Start(name string, job func(ctx context.Context)) error {
	return r.start(name, false, job)
}

// StartUnstoppable runs job as Start does, for a job that Stop cannot end
// (a model load, which takes no context): while it runs, errBusy says to
// wait for it rather than to stop it.
func (r *runner) StartUnstoppable(name string, job func()) error {
	return r.start(name, true, func(context.Context) { job() })
}

// start runs job, unstoppable or not.
func (r *runner) start(name string, unstoppable bool, job func(ctx context.Context)) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.done != nil {
		return r.busy()
	}
	ctx, cancel := context.WithCancel(r.base)
	done := make(chan struct{})
	r.name, r.cancel, r.done, r.unstoppable = name, cancel, done, unstoppable
	go func() {
		defer func() {
			cancel()
			r.mu.Lock()
			r.name, r.cancel, r.done, r.unstoppable = "", nil, nil, false
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

// Busy is the errBusy that names the running job, and whether one runs.
func (r *runner) Busy() (errBusy, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.busy(), r.done != nil
}

// busy is Busy's error; r.mu is held.
func (r *runner) busy() errBusy {
	return errBusy{running: r.name, unstoppable: r.unstoppable}
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
