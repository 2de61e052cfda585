package index

import "testing"

func TestParseID(t *testing.T) {
	tests := []struct {
		id      string
		s, p, n int
		wantErr bool
	}{
		{"0:1:0", 0, 1, 0, false},
		{"2:117:3", 2, 117, 3, false},
		{docID(4, 5, 6), 4, 5, 6, false},
		{"", 0, 0, 0, true},
		{"0:1", 0, 0, 0, true},
		{"0:1:2:3", 0, 0, 0, true},
		{"a:1:2", 0, 0, 0, true},
		{"0::2", 0, 0, 0, true},
		{"0:1:x", 0, 0, 0, true},
	}
	for _, tt := range tests {
		s, p, n, err := parseID(tt.id)
		if (err != nil) != tt.wantErr || !tt.wantErr && (s != tt.s || p != tt.p || n != tt.n) {
			t.Errorf("parseID(%q) = %d, %d, %d, %v", tt.id, s, p, n, err)
		}
	}
}
