package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"hew/agent/llm/catalog"
	"hew/agent/llm/provider"
)

// modelsOptions are the flags of `hew models`.
type modelsOptions struct {
	IO        *IO
	Provider  string // "" for every provider
	Available bool   // ask the provider's server what these credentials can use now
	Region    string // --region for Bedrock, with --available
}

func newModelsCmd(ios *IO, runF func(*modelsOptions) error) *cobra.Command {
	opts := &modelsOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "models",
		Short: "List the models hew knows, with context window, prices and capabilities",
		Long: `List the model catalogue: provider, model id, context window, price per million input,
cached input and output tokens ("unknown" where no public price was found) and the day the price
was read (PRICED), tool and reasoning support, and the edit tool the model prefers.
Entries come from hew's built-in catalogue and [[models]] tables in the configuration. Bedrock
models marked with profiles are also served as PROFILE.ID (for example us.anthropic...).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Provider != "" && opts.Provider != "openai" && opts.Provider != "bedrock" {
				return usageError("unknown provider %q: use openai or bedrock", opts.Provider)
			}
			if runF != nil {
				return runF(opts)
			}
			if opts.Available {
				return runAvailable(cmd.Context(), opts)
			}
			return runModels(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Provider, "provider", "", "list only this provider's models (openai or bedrock)")
	cmd.Flags().BoolVar(&opts.Available, "available", false, "list the models your credentials can use now, asking the provider's server")
	cmd.Flags().StringVar(&opts.Region, "region", "", "AWS region for Bedrock (with --available)")
	return cmd
}

func runModels(opts *modelsOptions) error {
	ios := opts.IO
	cfg, err := loadConfig(ios, sessionFlags{})
	if err != nil {
		return err
	}
	warnIgnored(ios, cfg)
	cat, err := catalog.Default().Merge(cfg.Models)
	if err != nil {
		return usageError("model catalogue in the configuration: %v", err)
	}
	w := tabwriter.NewWriter(ios.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "PROVIDER\tMODEL\tCONTEXT\tINPUT $/M\tCACHED $/M\tOUTPUT $/M\tPRICED\tTOOLS\tREASONING\tEDIT TOOL\tPROFILES")
	for _, m := range cat.Models(opts.Provider) {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
			m.Provider, m.ID, tokens(m.ContextWindow),
			modelPrice(m, m.InputPrice), modelPrice(m, cachedPrice(m)), modelPrice(m, m.OutputPrice), orDash(m.PriceDate),
			yesNo(m.Tools), yesNo(m.Reasoning), m.EditTool, strings.Join(m.Profiles, ","))
	}
	return w.Flush()
}

// runAvailable lists what the provider's server offers to the configured credentials.
func runAvailable(ctx context.Context, opts *modelsOptions) error {
	ios := opts.IO
	flags := sessionFlags{}
	if opts.Provider != "" {
		flags.Provider = &opts.Provider
	}
	if opts.Region != "" {
		flags.Region = &opts.Region
	}
	cfg, err := loadConfig(ios, flags)
	if err != nil {
		return err
	}
	list, err := provider.Available(ctx, cfg, ios.Getenv)
	if err != nil {
		return fmt.Errorf("list the models %s offers: %w", cfg.Provider, err)
	}
	w := tabwriter.NewWriter(ios.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "MODEL\tKIND\tCONTEXT\tINPUT $/M\tOUTPUT $/M\tTOOLS\tKNOWN\tBASE MODEL")
	for _, l := range list {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", l.ID, l.Kind, tokens(l.Model.ContextWindow),
			modelPrice(l.Model, l.Model.InputPrice), modelPrice(l.Model, l.Model.OutputPrice),
			yesNo(l.Model.Tools), yesNo(l.Known), orDash(l.BaseModel))
	}
	if len(list) == 0 {
		fmt.Fprintf(ios.ErrOut, "%s lists no models for these credentials\n", cfg.Provider)
	}
	return w.Flush()
}

func cachedPrice(m catalog.Model) float64 {
	if m.CachedInputPrice == 0 {
		return m.InputPrice
	}
	return m.CachedInputPrice
}

// tokens renders a token count compactly: 200K, 1.05M.
func tokens(n int) string {
	switch {
	case n >= 1_000_000:
		return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", float64(n)/1e6), "0"), ".") + "M"
	case n >= 1000:
		return fmt.Sprintf("%dK", n/1000)
	}
	return fmt.Sprint(n)
}

// price renders dollars with at least two decimals and no rounding: 3.00, 0.00875.
func price(p float64) string {
	s := strconv.FormatFloat(p, 'f', -1, 64)
	whole, frac, _ := strings.Cut(s, ".")
	for len(frac) < 2 {
		frac += "0"
	}
	return whole + "." + frac
}

// modelPrice is price(p), or "unknown" when no public price was found for m.
func modelPrice(m catalog.Model, p float64) string {
	if !m.Priced() {
		return "unknown"
	}
	return price(p)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "-"
}
