package codec_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"

	"github.com/mianshi/mianshi/codec"
	"github.com/mianshi/mianshi/workflows"
)

func forWorkflow(dc converter.DataConverter, id string) converter.DataConverter {
	return converter.WithDataConverterSerializationContext(dc, converter.WorkflowSerializationContext{Namespace: "default", WorkflowID: id})
}

func TestDataKeysShredOneWorkflow(t *testing.T) {
	keys := mustKeys(t, codec.NewKeySpec("m1"))
	store := codec.NewKeyMap(nil)
	dk := codec.NewDataKeys(keys, store, workflows.HoldsCandidateData)
	base := codec.New(keys)
	c := base.WithDataKeys(dk)
	dc := codec.DataConverter(c)
	const secret = "zebra-quokka-7731"

	old, err := codec.DataConverter(base).ToPayload(secret) // the format before data keys
	if err != nil {
		t.Fatal(err)
	}
	erased, err := forWorkflow(dc, workflows.InterviewID("a")).ToPayload(secret)
	if err != nil {
		t.Fatal(err)
	}
	kept, err := forWorkflow(dc, workflows.InterviewID("b")).ToPayload(secret)
	if err != nil {
		t.Fatal(err)
	}
	campaign, err := forWorkflow(dc, "campaign-run/c").ToPayload(secret)
	if err != nil {
		t.Fatal(err)
	}
	if string(erased.Metadata[codec.MetadataDataKey]) != workflows.InterviewID("a") || campaign.Metadata[codec.MetadataDataKey] != nil ||
		bytes.Contains(erased.Data, []byte(secret)) {
		t.Fatalf("payloads: %v / %v", erased.Metadata, campaign.Metadata)
	}
	// Activity payloads of the workflow use its key too.
	act, err := converter.WithDataConverterSerializationContext(dc, converter.ActivitySerializationContext{WorkflowID: workflows.InterviewID("a")}).ToPayload(secret)
	if err != nil || string(act.Metadata[codec.MetadataDataKey]) != workflows.InterviewID("a") {
		t.Fatalf("activity payload: %v, %v", act.GetMetadata(), err)
	}

	// The codec server decodes without any context: the key is named in
	// the payload.
	server := codec.New(keys).WithDataKeys(codec.NewDataKeys(keys, store, workflows.HoldsCandidateData))
	for name, p := range map[string]*commonpb.Payload{"old": old, "erased": erased, "kept": kept, "campaign": campaign} {
		plain, err := server.Decode([]*commonpb.Payload{p})
		if err != nil || !bytes.Contains(plain[0].Data, []byte(secret)) {
			t.Fatalf("%s before erasure: %v", name, err)
		}
	}
	if err := server.DataKeys().DestroyKey(context.Background(), workflows.InterviewID("a")); err != nil {
		t.Fatal(err)
	}
	if _, err := server.Decode([]*commonpb.Payload{erased}); !errors.Is(err, codec.ErrKeyDestroyed) {
		t.Fatalf("decode after the key was destroyed: %v, want ErrKeyDestroyed", err)
	}
	if _, err := server.Decode([]*commonpb.Payload{act}); !errors.Is(err, codec.ErrKeyDestroyed) {
		t.Fatalf("activity payload after the key was destroyed: %v", err)
	}
	for name, p := range map[string]*commonpb.Payload{"old": old, "kept": kept, "campaign": campaign} {
		if _, err := server.Decode([]*commonpb.Payload{p}); err != nil {
			t.Errorf("%s after another workflow's erasure: %v", name, err)
		}
	}
	// Nothing is encrypted for the erased workflow again.
	if _, err := forWorkflow(codec.DataConverter(server), workflows.InterviewID("a")).ToPayload("new"); !errors.Is(err, codec.ErrKeyDestroyed) {
		t.Errorf("encode for an erased workflow: %v, want ErrKeyDestroyed", err)
	}
	// Without a key store a data-key payload cannot be read at all.
	if _, err := base.Decode([]*commonpb.Payload{kept}); err == nil {
		t.Error("a codec without data keys decoded a data-key payload")
	}
}

// Failures (their messages can quote an answer) are encrypted with the
// workflow's data key too.
func TestFailuresUseTheWorkflowsDataKey(t *testing.T) {
	keys := mustKeys(t, codec.NewKeySpec("m1"))
	dc := codec.DataConverter(codec.New(keys).WithDataKeys(codec.NewDataKeys(keys, codec.NewKeyMap(nil), workflows.HoldsCandidateData)))
	fc := converter.WithFailureConverterSerializationContext(codec.FailureConverter(dc), converter.WorkflowSerializationContext{WorkflowID: workflows.InterviewID("a")})
	f := fc.ErrorToFailure(errors.New("zebra-quokka-7731"))
	attrs := f.GetEncodedAttributes()
	if attrs == nil || string(attrs.Metadata[codec.MetadataDataKey]) != workflows.InterviewID("a") {
		t.Fatalf("failure attributes = %v, want encrypted with interview/a's key", attrs.GetMetadata())
	}
}
