// Package store is what the bot keeps between restarts: the stories a
// server's teachers loaded, the story chosen for each channel, server
// settings, the question log with its feedback votes, and quiz scores.
//
// This package holds the domain types, the errors and the interfaces;
// store/sqlite (the default, one file, pure Go) and store/postgres (shared
// by several replicas) implement them with the same SQL
// (store/sqlstore), and store/storetest is the conformance suite both
// pass.
//
// Invariants every implementation keeps:
//   - every write is one transaction: a failed call changes nothing;
//   - a story name is unique within its server (ErrExists otherwise);
//   - the schema is migrated at open, in one transaction; a database from
//     a newer program (ErrNewerSchema) or a file that is not a storybot
//     database (ErrNotDatabase) is refused and never written to;
//   - times are kept to the millisecond, in UTC;
//   - limits (story size, stories per server, rates) are the caller's:
//     the store keeps whatever it is given.
//
// The stored story text is the source of truth; search indexes are caches
// built from it, keyed by its Hash.
package store

import (
	"context"
	"errors"
	"time"
)

// Errors the store returns; test with errors.Is.
var (
	// ErrNotFound: the story, or the logged question, does not exist.
	ErrNotFound = errors.New("not found")
	// ErrExists: a story of that name already exists in the server.
	ErrExists = errors.New("already exists")
	// ErrNewerSchema: the database was written by a newer storybot.
	ErrNewerSchema = errors.New("database schema is newer than this program")
	// ErrNotDatabase: the file is damaged or is not a storybot database.
	ErrNotDatabase = errors.New("not a storybot database")
	// ErrBadText: a text to store is not valid UTF-8 or holds a NUL
	// byte, which PostgreSQL cannot keep; both stores refuse it alike.
	ErrBadText = errors.New("text is not valid UTF-8 or holds a NUL byte")
)

// A Story is a story a teacher added to a server.
type Story struct {
	Guild   string // Discord server (guild) id
	Name    string // unique within the server; what commands and citations use
	Title   string
	Text    string // the full text as added; empty in lists
	Hash    string // hex SHA-256 of Text (corpus.Story.Hash), the index cache key
	AddedBy string // Discord user id; empty once that user ran /forget
	Added   time.Time
}

// A Question is one question asked in a server and how it was answered:
// a row of the question log.
type Question struct {
	ID        int64 // set by LogQuestion
	Guild     string
	Channel   string
	Story     string // the story it was answered from (its name)
	User      string // the asker's Discord user id
	Text      string
	Mode      string // the answer's mode: "extractive", "llm", "llm-fallback"
	Abstained bool
	Cited     []int // cited paragraph numbers, first citation first
	Asked     time.Time
}

// A Vote is one member's feedback on one logged answer. A member has at
// most one vote per answer; voting again replaces it.
type Vote struct {
	Question int64
	User     string
	Up       bool
	Reason   string // optional, for a down vote: "wrong", "not in the story", "unclear"
	At       time.Time
}

// A Tally counts the votes on one answer.
type Tally struct {
	Up, Down int
}

// A Filter selects the logged questions of one server a report covers.
// Empty Channel or Story means all; a zero Since or Until is unbounded.
// Since is inclusive, Until exclusive.
type Filter struct {
	Guild   string
	Channel string
	Story   string
	Since   time.Time
	Until   time.Time
}

// Activity is how much was asked in a period.
type Activity struct {
	Questions  int
	Askers     int // distinct members
	Unanswered int // abstentions
	Periods    []Period
}

// A Period is the activity of one interval of a report, oldest first;
// intervals without questions are left out.
type Period struct {
	Start      time.Time // aligned to a multiple of the interval since the Unix epoch (UTC days for 24h)
	Questions  int
	Askers     int
	Unanswered int
}

// A Rated answer is a logged question with the votes on its answer.
type Rated struct {
	Question
	Tally
	Reasons map[string]int // down votes per reason; "" for none given
}

// A QuizAnswer is one member's answer to one quiz question.
type QuizAnswer struct {
	Guild, Channel string
	Session        string // chosen by the caller; scores are kept per channel per session
	User           string
	Correct        bool
	At             time.Time
}

// A QuizScore is one member's score in a channel's quiz session.
type QuizScore struct {
	User     string
	Right    int
	Answered int
}

// Stories keeps each server's stories.
type Stories interface {
	// AddStory stores a new story; ErrExists if the server has one of
	// that name. A zero Added is set to the current time.
	AddStory(ctx context.Context, s Story) error
	// Story returns one story with its text.
	Story(ctx context.Context, guild, name string) (Story, error)
	// Stories lists a server's stories by name, without their text.
	Stories(ctx context.Context, guild string) ([]Story, error)
	// RemoveStory deletes a story and the channel choices naming it.
	RemoveStory(ctx context.Context, guild, name string) error
}

// Choices keeps the story chosen for each channel and for each server.
type Choices interface {
	// UseStory sets the story of a channel, or of the whole server when
	// channel is ""; name "" clears the choice. ErrNotFound if the server
	// has no such story.
	UseStory(ctx context.Context, guild, channel, name string) error
	// ChosenStory returns the channel's story, else the server's, else "".
	ChosenStory(ctx context.Context, guild, channel string) (string, error)
}

// Settings keeps per-server settings as text values.
type Settings interface {
	// SetSetting sets a server's setting; value "" removes it.
	SetSetting(ctx context.Context, guild, key, value string) error
	// Setting returns a server's setting, "" when unset.
	Setting(ctx context.Context, guild, key string) (string, error)
}

// SettingTeacherRole is the setting holding the id of the role whose
// members may manage stories and read reports.
const SettingTeacherRole = "teacher_role"

// Log keeps the question log and the votes on its answers.
type Log interface {
	// LogQuestion adds a question to the log and returns its id. A zero
	// Asked is set to the current time.
	LogQuestion(ctx context.Context, q Question) (int64, error)
	// Question returns one logged question with its citations.
	Question(ctx context.Context, id int64) (Question, error)
	// Vote records or replaces a member's vote and returns the answer's
	// new tally; ErrNotFound if the question is not (or no longer) logged.
	Vote(ctx context.Context, v Vote) (Tally, error)
	// Forget deletes everything kept about a member in every server:
	// their questions (with the votes on them), their votes and quiz
	// scores; stories they added stay, without their name. It returns the
	// number of questions and votes deleted.
	Forget(ctx context.Context, user string) (int64, error)
	// ClearChannel deletes a channel's question log and returns the number
	// of questions deleted.
	ClearChannel(ctx context.Context, guild, channel string) (int64, error)
	// Expire deletes questions (and their votes) asked before t and quiz
	// scores last changed before t: the retention period, run on a
	// schedule. It returns the number of questions deleted.
	Expire(ctx context.Context, before time.Time) (int64, error)
}

// Reports answers what a teacher's report asks of the log.
type Reports interface {
	// Activity counts questions, askers and abstentions in total and per
	// interval of length every (none when every <= 0).
	Activity(ctx context.Context, f Filter, every time.Duration) (Activity, error)
	// Unanswered returns up to limit abstained questions, newest first.
	Unanswered(ctx context.Context, f Filter, limit int) ([]Question, error)
	// DownVoted returns up to limit answers with down votes, most down
	// votes first, then newest.
	DownVoted(ctx context.Context, f Filter, limit int) ([]Rated, error)
	// Citations counts, per paragraph number, the questions that cited it.
	Citations(ctx context.Context, f Filter) (map[int]int, error)
	// Questions returns f's questions with their citations, votes and
	// down-vote reasons, oldest first: the newest limit of them when
	// there are more (for a report built from the log itself).
	Questions(ctx context.Context, f Filter, limit int) ([]Rated, error)
}

// Quiz keeps quiz scores per channel per session.
type Quiz interface {
	// RecordQuizAnswer counts one answer towards the member's score.
	RecordQuizAnswer(ctx context.Context, a QuizAnswer) error
	// QuizScores returns a session's scores, best first.
	QuizScores(ctx context.Context, guild, channel, session string) ([]QuizScore, error)
}

// Store is everything an implementation provides, what the conformance
// suite tests. Consumers declare the one or two methods they use.
type Store interface {
	Stories
	Choices
	Settings
	Log
	Reports
	Quiz
	Close() error
}
