package emulator

import (
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// cardCodeLifetime is how long a template card's response_code can update
// it: "只能在72小时内调用" (message/update_template_card, document/path/94888).
const cardCodeLifetime = 72 * time.Hour

type updateTemplateCardRequest struct {
	AgentID      flexInt  `json:"agentid"`
	ResponseCode string   `json:"response_code"`
	UserIDs      []string `json:"userids"`
	PartyIDs     []int    `json:"partyids"`
	TagIDs       []int    `json:"tagids"`
	AtAll        int      `json:"atall"`
	Button       *struct {
		ReplaceName string `json:"replace_name"`
	} `json:"button"`
	TemplateCard json.RawMessage `json:"template_card"`
}

// updateTemplateCard serves POST message/update_template_card: the sending
// app updates an interactive template card by the response_code its send
// answered, once and within 72 hours, with a button's new text
// ({"button": {"replace_name": ...}}) or a whole new card
// ({"template_card": {...}}). The update is recorded on the message; the
// answer's invaliduser lists the userids given that the card did not reach.
// WeCom documents no errcode of its own for a used, expired or unknown code:
// the emulator answers 40058 (invalid parameter).
func (s *Server) updateTemplateCard(c *call, req updateTemplateCardRequest) (any, *apiError) {
	if e := c.checkAgent(int(req.AgentID)); e != nil {
		return nil, e
	}
	switch {
	case req.ResponseCode == "":
		return nil, errorf(40058, "response_code is required")
	case len(req.UserIDs) > 1000:
		return nil, errorf(40058, "userids has more than 1000 members")
	case len(req.PartyIDs) > 100:
		return nil, errorf(40058, "partyids has more than 100 departments")
	case len(req.TagIDs) > 100:
		return nil, errorf(40058, "tagids has more than 100 tags")
	case req.Button == nil && len(req.TemplateCard) == 0:
		return nil, errorf(40058, "button or template_card is required")
	case req.Button != nil && req.Button.ReplaceName == "":
		return nil, errorf(40058, "button.replace_name is required")
	}
	if len(req.TemplateCard) > 0 {
		var card struct {
			CardType string `json:"card_type"`
		}
		if json.Unmarshal(req.TemplateCard, &card) != nil || card.CardType == "" {
			return nil, errorf(40058, "template_card needs a card_type")
		}
	}
	now := s.now()
	return s.changeSent(c, func(m *Message) bool { return m.ResponseCode == req.ResponseCode }, "the card", "unknown response_code", func(m *Message) (any, *apiError) {
		switch {
		case len(m.CardUpdates) > 0:
			return nil, errorf(40058, "response_code was used already: a code updates a card once")
		case now.Sub(m.Time) > cardCodeLifetime:
			return nil, errorf(40058, "response_code expired: a code updates a card within 72 hours")
		}
		m.CardUpdates = append(m.CardUpdates, json.RawMessage(append([]byte(nil), c.body...)))
		invalid := []string{}
		for _, u := range req.UserIDs {
			if !slices.ContainsFunc(m.Recipients, func(r string) bool { return strings.EqualFold(r, u) }) {
				invalid = append(invalid, u)
			}
		}
		return struct {
			status
			InvalidUser []string `json:"invaliduser"`
		}{okStatus, invalid}, nil
	})
}
