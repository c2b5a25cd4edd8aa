package scheduler

import (
	"context"
	"time"

	"github.com/wecomrunner/runner/runtime/jobs"
	"github.com/wecomrunner/runner/runtime/state"
)

// JobInfo is a job with its state, as the control API and the console show
// it. Running, LastRun, LastSuccess and LastFailure come from the history,
// so that they include the runs of every instance sharing the state.
type JobInfo struct {
	Name     string `json:"name"`
	Schedule string `json:"schedule"`
	Timezone string `json:"timezone"`
	// On describes the job's event triggers ("contacts: change_contact
	// create_user").
	On          []string         `json:"on,omitempty"`
	Enabled     bool             `json:"enabled"`
	Concurrency jobs.Concurrency `json:"concurrency"`
	// Paused is set while the job is paused.
	Paused *state.Pause `json:"paused,omitempty"`
	// Next is the next firing; zero when the job is disabled or paused.
	Next time.Time `json:"next,omitzero"`
	// Running lists the ids of the job's runs in progress.
	Running []string `json:"running,omitempty"`
	// LastRun is the newest run that was not skipped.
	LastRun *state.RunRecord `json:"last_run,omitempty"`
	// LastSuccess is the newest run that ended ok.
	LastSuccess *state.RunRecord `json:"last_success,omitempty"`
	// LastFailure is the newest run that failed, timed out or was
	// interrupted.
	LastFailure *state.RunRecord `json:"last_failure,omitempty"`

	job *jobs.Job
}

// Job is the configuration of the job, as it was when the JobInfo was read.
func (i JobInfo) Job() *jobs.Job { return i.job }

// summaryRuns is how many runs of each job JobInfo looks at.
const summaryRuns = 100

// JobInfos returns every job of the configuration in effect with its state,
// in file order.
func (s *Scheduler) JobInfos(ctx context.Context) ([]JobInfo, error) {
	pauses, err := s.store.Pauses(ctx)
	if err != nil {
		return nil, err
	}
	var out []JobInfo
	for _, st := range s.Jobs() {
		info, err := s.jobInfo(ctx, st, pauses)
		if err != nil {
			return nil, err
		}
		out = append(out, info)
	}
	return out, nil
}

// JobInfo returns one job with its state; the error wraps ErrNotFound for a
// job that is not configured.
func (s *Scheduler) JobInfo(ctx context.Context, name string) (JobInfo, error) {
	for _, st := range s.Jobs() {
		if st.Job.Name != name {
			continue
		}
		pauses, err := s.store.Pauses(ctx)
		if err != nil {
			return JobInfo{}, err
		}
		return s.jobInfo(ctx, st, pauses)
	}
	return JobInfo{}, ErrNoJob(s.Config(), name)
}

func (s *Scheduler) jobInfo(ctx context.Context, st JobStatus, pauses map[string]state.Pause) (JobInfo, error) {
	j := st.Job
	info := JobInfo{
		Name: j.Name, Schedule: j.Schedule, Timezone: j.Timezone, Enabled: j.Enabled,
		Concurrency: j.Concurrency, Next: st.Next, job: j,
	}
	for _, o := range j.On {
		info.On = append(info.On, o.String())
	}
	if p, ok := pauses[j.Name]; ok {
		info.Paused = &p
		info.Next = time.Time{}
	}
	runs, err := s.store.Runs(ctx, j.Name, summaryRuns)
	if err != nil {
		return JobInfo{}, err
	}
	for i := range runs {
		r := &runs[i]
		switch r.Result {
		case state.ResultRunning:
			info.Running = append(info.Running, r.ID)
		case state.ResultSkipped:
			continue
		case state.ResultOK:
			if info.LastSuccess == nil {
				info.LastSuccess = r
			}
		default:
			if info.LastFailure == nil {
				info.LastFailure = r
			}
		}
		if info.LastRun == nil {
			info.LastRun = r
		}
	}
	return info, nil
}
