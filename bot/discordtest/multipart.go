package discordtest

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"strconv"
	"strings"
)

// multipart reports whether the request's body is multipart/form-data:
// a message with files, as discordgo sends it (payload_json and
// files[n]).
func (r Request) multipart() bool {
	mt, _, err := mime.ParseMediaType(r.ContentType)
	return err == nil && strings.HasPrefix(mt, "multipart/")
}

// parts returns the multipart body's parts by form name.
func (r Request) parts() map[string]part {
	_, params, err := mime.ParseMediaType(r.ContentType)
	if err != nil || !r.multipart() {
		return nil
	}
	out := map[string]part{}
	mr := multipart.NewReader(bytes.NewReader(r.Body), params["boundary"])
	for {
		p, err := mr.NextPart()
		if err != nil {
			return out
		}
		b, _ := io.ReadAll(p)
		out[p.FormName()] = part{name: p.FileName(), contentType: p.Header.Get("Content-Type"), data: b}
	}
}

type part struct {
	name, contentType string
	data              []byte
}

// payloadJSON is the JSON part of a multipart body.
func (r Request) payloadJSON() ([]byte, bool) {
	p, ok := r.parts()["payload_json"]
	return p.data, ok
}

// A File is a file a message carried.
type File struct {
	Name, ContentType string
	Data              []byte
}

// Files returns the files a multipart request carried, in order.
func (r Request) Files() []File {
	var out []File
	ps := r.parts()
	for i := 0; ; i++ {
		p, ok := ps["files["+strconv.Itoa(i)+"]"]
		if !ok {
			return out
		}
		out = append(out, File{Name: p.name, ContentType: p.contentType, Data: p.data})
	}
}
