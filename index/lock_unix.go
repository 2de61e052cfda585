//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package index

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// A dirLock is the lock file of an index folder, locked with flock:
// shared by the processes using the index, exclusive for the one
// rebuilding it. The kernel releases it when a process dies, so a crash
// never leaves a folder locked.
type dirLock struct {
	f        *os.File // nil in a read-only folder without a lock file
	readOnly bool     // the folder cannot be written: use what is there or nothing
	once     sync.Once
}

// openLock opens (creating it if need be) the lock file of dir.
func openLock(dir string) (*dirLock, error) {
	path := filepath.Join(dir, lockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err == nil {
		return &dirLock{f: f}, nil
	}
	if !errors.Is(err, syscall.EROFS) && !errors.Is(err, fs.ErrPermission) {
		return nil, fmt.Errorf("index lock: %w", err)
	}
	// A read-only folder: flock works on a file opened for reading, and
	// without a lock file nobody can be rebuilding here anyway.
	if f, err = os.Open(path); err == nil {
		return &dirLock{f: f, readOnly: true}, nil
	}
	if errors.Is(err, fs.ErrNotExist) {
		return &dirLock{readOnly: true}, nil
	}
	return nil, fmt.Errorf("index lock: %w", err)
}

// try takes the lock, shared or exclusive, if it is free now. Taking the
// other kind while holding one converts it.
func (l *dirLock) try(exclusive bool) (bool, error) {
	if l.f == nil {
		return !exclusive, nil
	}
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	for {
		err := syscall.Flock(int(l.f.Fd()), how|syscall.LOCK_NB)
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.EWOULDBLOCK):
			return false, nil
		}
		return false, fmt.Errorf("index lock: %w", err)
	}
}

// share turns the exclusive lock into a shared one. flock converts by
// releasing first, so another process may take the lock in between;
// wait for it within wait.
func (l *dirLock) share(ctx context.Context, wait time.Duration) error {
	deadline := time.Now().Add(wait)
	for {
		got, err := l.try(false)
		if err != nil || got {
			return err
		}
		if time.Now().After(deadline) {
			return folderErr(ErrInUse, "index folder %s is in use by another storybot", filepath.Dir(l.f.Name()))
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("index open: %w", ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// unlock releases the lock and keeps the file open.
func (l *dirLock) unlock() {
	if l.f != nil {
		syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	}
}

// close releases the lock and the file.
func (l *dirLock) close() {
	l.once.Do(func() {
		if l.f != nil {
			l.f.Close()
		}
	})
}
