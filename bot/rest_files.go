package bot

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/bwmarrin/discordgo"
)

// filesOf returns the files an edit carries: they go as a multipart body
// (payload_json and files[n]), which JSON cannot hold.
func filesOf(v any) []*discordgo.File {
	if e, ok := v.(*discordgo.WebhookEdit); ok && e != nil {
		return e.Files
	}
	return nil
}

// sendFiles sends v with its files as multipart/form-data. Like send,
// its errors never include the URL.
func (c *restClient) sendFiles(ctx context.Context, method, path string, v any, files []*discordgo.File) error {
	contentType, body, err := discordgo.MultipartBodyWithJSON(v, files)
	if err != nil {
		return fmt.Errorf("encode %s: %w", what(path), err)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s: bad request", what(path))
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("User-Agent", "DiscordBot (storybot, 1)")
	resp, err := c.client.Do(req)
	if err != nil {
		if ue, ok := err.(*url.Error); ok {
			err = ue.Err
		}
		return fmt.Errorf("%s: %w", what(path), err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s: HTTP %d: %s", what(path), resp.StatusCode, redact(strings.TrimSpace(string(msg))))
	}
	return nil
}
