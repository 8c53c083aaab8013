package workflows

import (
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
)

// Search attributes the interview workflow keeps current, so HR can find
// interviews in Temporal UI and through visibility queries such as
//
//	MianshiTrack = "go-backend" AND MianshiScore >= 70 AND MianshiStatus = "completed"
var (
	SearchTrack     = temporal.NewSearchAttributeKeyKeyword("MianshiTrack")
	SearchLevel     = temporal.NewSearchAttributeKeyKeyword("MianshiLevel")
	SearchLanguage  = temporal.NewSearchAttributeKeyKeyword("MianshiLanguage")
	SearchStatus    = temporal.NewSearchAttributeKeyKeyword("MianshiStatus")
	SearchRound     = temporal.NewSearchAttributeKeyInt64("MianshiRound")
	SearchScore     = temporal.NewSearchAttributeKeyFloat64("MianshiScore")
	SearchCampaign  = temporal.NewSearchAttributeKeyKeyword("MianshiCampaign")
	SearchFollowUps = temporal.NewSearchAttributeKeyInt64("MianshiFollowUps")
	// SearchIntegrity lists the integrity flags the interview's rounds
	// raised (interview.Flags): MianshiIntegrity = "pasted" finds the
	// interviews with a round mostly pasted.
	SearchIntegrity = temporal.NewSearchAttributeKeyKeywordList("MianshiIntegrity")
)

// SearchAttributeTypes lists the custom search attributes with their types,
// for registering them on a namespace.
func SearchAttributeTypes() map[string]enums.IndexedValueType {
	return map[string]enums.IndexedValueType{
		SearchTrack.GetName():     enums.INDEXED_VALUE_TYPE_KEYWORD,
		SearchLevel.GetName():     enums.INDEXED_VALUE_TYPE_KEYWORD,
		SearchLanguage.GetName():  enums.INDEXED_VALUE_TYPE_KEYWORD,
		SearchStatus.GetName():    enums.INDEXED_VALUE_TYPE_KEYWORD,
		SearchRound.GetName():     enums.INDEXED_VALUE_TYPE_INT,
		SearchScore.GetName():     enums.INDEXED_VALUE_TYPE_DOUBLE,
		SearchCampaign.GetName():  enums.INDEXED_VALUE_TYPE_KEYWORD,
		SearchFollowUps.GetName(): enums.INDEXED_VALUE_TYPE_INT,
		SearchIntegrity.GetName(): enums.INDEXED_VALUE_TYPE_KEYWORD_LIST,
	}
}

// StartSearchAttributes are the search attributes an interview starts with.
func StartSearchAttributes(in InterviewInput) temporal.SearchAttributes {
	return temporal.NewSearchAttributes(
		SearchTrack.ValueSet(in.Track),
		SearchLevel.ValueSet(in.Level),
		SearchLanguage.ValueSet(in.Language),
		SearchCampaign.ValueSet(in.Campaign),
		SearchStatus.ValueSet(statusOf(in)),
		SearchRound.ValueSet(0),
		SearchFollowUps.ValueSet(0),
	)
}

// Memo is the interview's memo: what HR sees at a glance in Temporal UI.
func Memo(in InterviewInput) map[string]any {
	return map[string]any{"track": in.Track, "level": in.Level, "language": in.Language, "campaign": in.Campaign, "max_rounds": in.MaxRounds}
}

func statusOf(in InterviewInput) string {
	if in.State != nil {
		return string(in.State.Status)
	}
	return "generating"
}
