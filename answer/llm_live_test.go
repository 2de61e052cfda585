package answer

import (
	"os"
	"testing"
	"time"
)

// TestLiveModel asks a real model, and runs only when STORYBOT_LIVE_LLM=1
// (with OPENAI_API_KEY and/or OPENAI_BASE_URL, and OPENAI_MODEL) is set:
// tests never reach the network or need a secret by default.
func TestLiveModel(t *testing.T) {
	if os.Getenv("STORYBOT_LIVE_LLM") != "1" {
		t.Skip("set STORYBOT_LIVE_LLM=1 with OPENAI_API_KEY/OPENAI_BASE_URL to ask a real model")
	}
	e := newTestEngine(t)
	e.LLM = &LLM{
		Completer: NewOpenAI(os.Getenv("OPENAI_BASE_URL"), os.Getenv("OPENAI_API_KEY"), nil),
		Model:     os.Getenv("OPENAI_MODEL"),
		Timeout:   30 * time.Second,
	}
	res := ask(t, e, Question{Text: "Who authorized the airstrike that killed Soleimani?"})
	t.Logf("mode %s model %s reason %q: %s %+v", res.Mode, res.Model, res.Reason, res.Answer, res.Citations)
	if res.Mode != ModeLLM || res.Abstained || len(res.Citations) == 0 {
		t.Errorf("the model's answer was not used: %+v", res)
	}
	res = ask(t, e, Question{Text: "What is Qaani's favorite food?"})
	if !res.Abstained {
		t.Errorf("answered a question the story cannot: %+v", res)
	}
}
