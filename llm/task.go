package llm

import "context"

type taskKey struct{}

// WithTask returns ctx marked with the task a model call serves (TaskAsk,
// TaskEvaluate, …), so that the callbacks measuring model calls can say
// which task each call was for.
func WithTask(ctx context.Context, task string) context.Context {
	return context.WithValue(ctx, taskKey{}, task)
}

// TaskOf returns the task WithTask put in ctx, or "" when none was.
func TaskOf(ctx context.Context) string {
	task, _ := ctx.Value(taskKey{}).(string)
	return task
}
