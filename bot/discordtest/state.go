package discordtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// state is what the fake keeps between requests: the commands registered
// per path, the servers the bot is in, and the channels and messages a
// test made or the bot sent, so that the bot can read them back.
type state struct {
	commands map[string][]byte         // by path: "/applications/<app>/commands", ".../guilds/<id>/commands"
	guilds   []string                  // the bot's servers
	channels map[string]map[string]any // by id
	messages map[string]map[string]any // by "<channel>/<id>"
	// interactions are the channels of the interactions dispatched, by
	// id, for the messages their responses make.
	interactions map[string]string
}

// GlobalCommands is the path of the application's global commands.
const GlobalCommands = "/applications/" + AppID + "/commands"

// GuildCommands is the path of the application's commands in guild.
func GuildCommands(guild string) string {
	return "/applications/" + AppID + "/guilds/" + guild + "/commands"
}

// SetCommands makes the fake hold commands (a JSON list) at path, as if
// an earlier run had registered them there.
func (s *Server) SetCommands(path, list string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state.commands == nil {
		s.state.commands = map[string][]byte{}
	}
	s.state.commands[path] = []byte(list)
}

// Commands returns the JSON list of commands registered at path ("[]"
// when none).
func (s *Server) Commands(path string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.state.commands[path]; ok {
		return string(c)
	}
	return "[]"
}

// SetGuilds sets the servers the bot is in (GET /users/@me/guilds).
func (s *Server) SetGuilds(ids ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state.guilds = append([]string(nil), ids...)
}

// AddChannel makes a channel (or thread) the bot can read with GET
// /channels/<id>; ch needs at least "id" and "type" (11: a public
// thread, with "parent_id").
func (s *Server) AddChannel(ch map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state.channels == nil {
		s.state.channels = map[string]map[string]any{}
	}
	s.state.channels[ch["id"].(string)] = ch
}

// AddMessage makes a message the bot can read with GET
// /channels/<channel_id>/messages/<id>. The messages the bot sends are
// added by themselves.
func (s *Server) AddMessage(m map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addMessage(m)
}

// addMessage stores m; s.mu is held.
func (s *Server) addMessage(m map[string]any) {
	if s.state.messages == nil {
		s.state.messages = map[string]map[string]any{}
	}
	ch, _ := m["channel_id"].(string)
	id, _ := m["id"].(string)
	s.state.messages[ch+"/"+id] = m
}

// Message returns a message the fake holds, nil if none.
func (s *Server) Message(channel, id string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state.messages[channel+"/"+id]
}

// dispatched notes the channel of an interaction being dispatched.
func (s *Server) dispatched(event string, d any) {
	m, ok := d.(map[string]any)
	if event != "INTERACTION_CREATE" || !ok {
		return
	}
	id, _ := m["id"].(string)
	ch, _ := m["channel_id"].(string)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state.interactions == nil {
		s.state.interactions = map[string]string{}
	}
	s.state.interactions[id] = ch
}

// callbackResponse answers an interaction callback asked
// with_response, as Discord does: 200 and the message the response made
// (kept, for the bot to read back), for a message (4) or a deferred one
// (5); no message for the rest.
func (s *Server) callbackResponse(w http.ResponseWriter, interaction string, body []byte) {
	var r struct {
		Type int            `json:"type"`
		Data map[string]any `json:"data"`
	}
	json.Unmarshal(body, &r)
	resource := map[string]any{"type": r.Type}
	if r.Type == 4 || r.Type == 5 {
		m := map[string]any{}
		if r.Type == 4 {
			for k, v := range r.Data {
				m[k] = v
			}
		} else {
			flags, _ := r.Data["flags"].(float64)
			m["flags"], m["content"] = int(flags)|128, "" // "storybot is thinking…"
		}
		m["id"] = fmt.Sprint(900000000000000000 + s.msgID.Add(1))
		m["type"] = 20
		m["channel_id"] = s.state.interactions[interaction]
		m["author"] = map[string]any{"id": BotID, "username": "storybot", "bot": true}
		m["webhook_id"], m["application_id"] = AppID, AppID
		m["timestamp"] = "2026-01-02T03:04:05Z"
		s.addMessage(m)
		resource["message"] = m
	}
	json.NewEncoder(w).Encode(map[string]any{"interaction": map[string]any{"id": interaction}, "resource": resource})
}

// serveState answers the requests that read or change the state, and
// reports whether path was one of them.
func (s *Server) serveState(w http.ResponseWriter, r *http.Request, path string, body []byte) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	method := r.Method
	parts := strings.Split(strings.Trim(path, "/"), "/")
	write := func(v any) {
		if v == nil {
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"message": "404: Not Found", "code": 10003}`))
			return
		}
		json.NewEncoder(w).Encode(v)
	}
	switch {
	case method == http.MethodPost && len(parts) == 4 && parts[0] == "interactions" && parts[3] == "callback" &&
		r.URL.Query().Get("with_response") == "true":
		s.callbackResponse(w, parts[1], body)
		return true
	case strings.HasPrefix(path, "/applications/"+AppID+"/") && strings.HasSuffix(path, "/commands"):
		switch method {
		case http.MethodPut:
			if s.state.commands == nil {
				s.state.commands = map[string][]byte{}
			}
			s.state.commands[path] = body
			w.Write(body)
		case http.MethodGet:
			c, ok := s.state.commands[path]
			if !ok {
				c = []byte("[]")
			}
			w.Write(c)
		default:
			return false
		}
		return true
	case method == http.MethodGet && path == "/users/@me/guilds":
		gs := []map[string]any{}
		for _, id := range s.state.guilds {
			gs = append(gs, map[string]any{"id": id, "name": "server " + id})
		}
		write(gs)
		return true
	case method == http.MethodGet && len(parts) == 2 && parts[0] == "channels":
		if ch, ok := s.state.channels[parts[1]]; ok {
			write(ch)
		} else {
			write(nil)
		}
		return true
	case method == http.MethodGet && len(parts) == 4 && parts[0] == "channels" && parts[2] == "messages":
		if m, ok := s.state.messages[parts[1]+"/"+parts[3]]; ok {
			write(m)
		} else {
			write(nil)
		}
		return true
	}
	return false
}
