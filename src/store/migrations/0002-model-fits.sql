-- Each value-model fit `tenure analyze` makes: which model, its estimates with standard errors,
-- how well it fitted and how it did on the holdout, so a score can always be traced to the
-- fit that made it.
CREATE TABLE model_fits (
  as_of        date NOT NULL,
  model        text COLLATE "C" NOT NULL,
  unit         text NOT NULL CHECK (unit IN ('day', 'week')),
  customers    integer NOT NULL,
  params       jsonb NOT NULL,
  stderr       jsonb NOT NULL,
  log_lik      double precision,
  aic          double precision,
  bic          double precision,
  iterations   integer,
  converged    boolean NOT NULL,
  reason       text NOT NULL,
  holdout      jsonb,
  chosen       boolean NOT NULL DEFAULT false,
  fitted_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (as_of, model)
);
