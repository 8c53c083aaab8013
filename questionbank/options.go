package questionbank

import (
	"github.com/cloudwego/eino/components/retriever"
)

// RetrieveOptions are the question-store options of an Eino Retrieve
// call, beside retriever.WithTopK.
type RetrieveOptions struct {
	Filter Filter
	Mode   Mode
}

// WithFilter sets the hard filters of a Retrieve call.
func WithFilter(f Filter) retriever.Option {
	return retriever.WrapImplSpecificOptFn(func(o *RetrieveOptions) { o.Filter = f })
}

// WithMode chooses the rankings of a Retrieve call (default hybrid).
func WithMode(m Mode) retriever.Option {
	return retriever.WrapImplSpecificOptFn(func(o *RetrieveOptions) { o.Mode = m })
}

// DefaultTopK is the number of hits a Retrieve call returns without
// retriever.WithTopK.
const DefaultTopK = 5

// QueryFromRetrieve turns an Eino Retrieve call into a Query.
func QueryFromRetrieve(text string, opts ...retriever.Option) Query {
	common := retriever.GetCommonOptions(&retriever.Options{}, opts...)
	own := retriever.GetImplSpecificOptions(&RetrieveOptions{}, opts...)
	k := DefaultTopK
	if common.TopK != nil {
		k = *common.TopK
	}
	return Query{Text: text, Filter: own.Filter, K: k, Mode: own.Mode}
}
