package emulator

import "strconv"

// Env is what a client needs to call the server, as the environment variables
// runner's sample jobs.yaml reads (and runner emulator prints): the base URL, the corp, the contacts-sync secret, the first app, and the
// webhook URL of the first group robot, and the secrets of the contacts
// sync's callback.
func (s *Server) Env() [][2]string {
	cred := s.Credentials()
	env := [][2]string{
		{"WECOM_BASE_URL", s.BaseURL()},
		{"WECOM_CORP_ID", cred.CorpID},
		{"WECOM_CONTACTS_SECRET", cred.ContactsSecret},
	}
	// The secret of the first app that may call the customer contact API.
	for _, a := range cred.Apps {
		if a.ExternalContact {
			env = append(env, [2]string{"WECOM_CUSTOMER_SECRET", a.Secret})
			break
		}
	}
	if len(cred.Apps) > 0 {
		env = append(env,
			[2]string{"WECOM_SECRET", cred.Apps[0].Secret},
			[2]string{"WECOM_AGENT_ID", strconv.Itoa(cred.Apps[0].AgentID)})
	}
	// The secret of the first app that may call the approval and attendance
	// API.
	for _, a := range cred.Apps {
		if a.OA {
			env = append(env, [2]string{"WECOM_OA_SECRET", a.Secret})
			break
		}
	}
	if len(cred.Robots) > 0 {
		env = append(env, [2]string{"WECOM_ROBOT_URL", s.BaseURL() + "webhook/send?key=" + cred.Robots[0].Key})
	}
	if cb := cred.Callback; cb != nil {
		env = append(env, [2]string{"WECOM_CB_TOKEN", cb.Token}, [2]string{"WECOM_CB_AES_KEY", cb.EncodingAESKey})
	}
	return env
}
