//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package index

import (
	"context"
	"time"
)

// A dirLock would lock an index folder; on this system there is no flock,
// so it locks nothing and two storybots must not share an --index-dir.
// Each still verifies the files it opens.
type dirLock struct {
	readOnly bool
}

func openLock(dir string) (*dirLock, error)                            { return &dirLock{}, nil }
func (l *dirLock) try(exclusive bool) (bool, error)                    { return true, nil }
func (l *dirLock) share(ctx context.Context, wait time.Duration) error { return nil }
func (l *dirLock) unlock()                                             {}
func (l *dirLock) close()                                              {}
