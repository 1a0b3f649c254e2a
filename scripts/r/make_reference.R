# Reference values for kepu.literacy.estimation, computed with R's survey package.
#
# Run from the repository root:  Rscript scripts/r/make_reference.R
# Writes tests/estimation/reference/data/*.csv (the data every test loads) and
# tests/estimation/reference/reference.csv (case, name, i, value with 17 significant digits).
suppressPackageStartupMessages(library(survey))
options(warn = 1)
out_dir <- "tests/estimation/reference"
data_dir <- file.path(out_dir, "data")
dir.create(data_dir, recursive = TRUE, showWarnings = FALSE)

rows <- list()
emit <- function(case, name, x) {
  x <- as.numeric(unlist(x))
  rows[[length(rows) + 1]] <<- data.frame(case = case, name = name, i = seq_along(x),
                                          value = sprintf("%.17g", x))
}
save_data <- function(df, name) write.csv(df, file.path(data_dir, paste0(name, ".csv")), row.names = FALSE)

stat_out <- function(case, s) {
  emit(case, "estimate", coef(s)); emit(case, "se", SE(s))
  d <- attr(s, "deff"); if (!is.null(d)) emit(case, "deff", if (is.matrix(d)) diag(d) else d)
}
by_out <- function(case, b, vars) {
  emit(case, "estimate", as.matrix(b[, vars, drop = FALSE]))   # column-major: domains within variable
  emit(case, "se", as.matrix(SE(b)))
  if (!is.null(attr(b, "svyby")$deffs) && !identical(attr(b, "svyby")$deffs, FALSE)) emit(case, "deff", as.matrix(deff(b)))
}
ci_methods <- c("logit", "xlogit", "beta", "mean")
wilson <- function(p, se, df, level = 0.95) {   # design-based Wilson interval, effective n = p(1-p)/se^2
  n <- p * (1 - p) / se^2; z <- qt(1 - (1 - level) / 2, df)
  mid <- (p + z^2 / (2 * n)) / (1 + z^2 / n)
  half <- z / (1 + z^2 / n) * sqrt(p * (1 - p) / n + z^2 / (4 * n^2))
  c(mid - half, mid + half)
}
ciprop_out <- function(case, formula, design) {
  for (m in ci_methods) emit(case, paste0("ci_", m), attr(svyciprop(formula, design, method = m), "ci"))
  s <- svymean(formula, design)
  emit(case, "ci_wilson", wilson(coef(s), SE(s), degf(design)))
  emit(case, "degf", degf(design))
}
by_ciprop_out <- function(case, formula, by, design) {
  for (m in ci_methods) {
    b <- svyby(formula, by, design, svyciprop, vartype = "ci", method = m)
    emit(case, paste0("ci_", m), cbind(b$ci_l, b$ci_u))
  }
}

# ---------------------------------------------------------------- api data sets
data(api)
add_binary <- function(d) {
  d$sw <- as.numeric(d$sch.wide == "Yes"); d$aw <- as.numeric(d$awards == "Yes")
  d$stype <- as.character(d$stype); d$sch_wide <- as.character(d$sch.wide); d$awards_c <- as.character(d$awards)
  d
}
apistrat <- add_binary(apistrat); apiclus1 <- add_binary(apiclus1); apiclus2 <- add_binary(apiclus2)
keep <- c("stype", "snum", "dnum", "cnum", "pw", "fpc", "api00", "api99", "enroll", "sw", "aw", "sch_wide", "awards_c")
save_data(apistrat[, keep], "apistrat")
save_data(apiclus1[, keep], "apiclus1")
save_data(apiclus2[, c("dnum", "snum", "fpc1", "fpc2", "pw", "api00", "api99", "sw", "stype")], "apiclus2")

apisrs <- add_binary(apisrs)
save_data(apisrs[, keep], "apisrs")
dsrs <- svydesign(id = ~1, fpc = ~fpc, data = apisrs)
stat_out("srs_mean", svymean(~api00 + sw, dsrs, deff = TRUE))
stat_out("srs_total", svytotal(~enroll, dsrs, deff = TRUE))
by_out("srs_by", svyby(~api00 + sw, ~stype, dsrs, svymean, deff = TRUE), c("api00", "sw"))

dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat, fpc = ~fpc)
stat_out("strat_mean", svymean(~api00 + api99 + enroll + sw, dstrat, deff = TRUE))
stat_out("strat_mean_replace", svymean(~api00 + api99 + enroll + sw, dstrat, deff = "replace"))
stat_out("strat_total", svytotal(~api00 + enroll, dstrat, deff = TRUE))
r <- svyratio(~api00, ~api99, dstrat, deff = TRUE)
emit("strat_ratio", "estimate", coef(r)); emit("strat_ratio", "se", SE(r)); emit("strat_ratio", "deff", attr(r, "deff"))
emit("strat_degf", "degf", degf(dstrat))
by_out("strat_by_awards", svyby(~api00 + sw, ~awards_c, dstrat, svymean, deff = TRUE), c("api00", "sw"))
by_out("strat_by_cross", svyby(~api00 + sw, ~awards_c + sch_wide, dstrat, svymean, deff = TRUE), c("api00", "sw"))
by_out("strat_by_total", svyby(~enroll, ~awards_c, dstrat, svytotal, deff = TRUE), "enroll")
br <- svyby(~api00, ~awards_c, denominator = ~api99, dstrat, svyratio)
emit("strat_by_ratio", "estimate", br[, 2]); emit("strat_by_ratio", "se", SE(br))
ciprop_out("strat_ci", ~sw, dstrat)
by_ciprop_out("strat_by_ci", ~sw, ~awards_c, dstrat)

dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc)
stat_out("clus1_mean", svymean(~api00 + enroll + sw, dclus1, deff = TRUE))
stat_out("clus1_total", svytotal(~enroll, dclus1, deff = TRUE))
by_out("clus1_by", svyby(~api00 + sw, ~stype, dclus1, svymean, deff = TRUE), c("api00", "sw"))
emit("clus1_degf", "degf", degf(dclus1))
ciprop_out("clus1_ci", ~sw, dclus1)
dclus1_frac <- svydesign(id = ~dnum, weights = ~pw, data = transform(apiclus1, frac = 15 / fpc), fpc = ~frac)
stat_out("clus1_frac_mean", svymean(~api00, dclus1_frac))
dclus1_nofpc <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1)
stat_out("clus1_nofpc_mean", svymean(~api00 + sw, dclus1_nofpc, deff = TRUE))

# replicate designs made from a design (deterministic: JK1, JKn; bootstrap exported)
jk1 <- as.svrepdesign(dclus1, type = "JK1")
stat_out("clus1_jk1_mean", svymean(~api00 + sw, jk1, deff = TRUE))
stat_out("clus1_jk1_total", svytotal(~enroll, jk1, deff = TRUE))
by_out("clus1_jk1_by", svyby(~api00 + sw, ~stype, jk1, svymean), c("api00", "sw"))
emit("clus1_jk1", "degf", degf(jk1))
jkn <- as.svrepdesign(dstrat, type = "JKn")
stat_out("strat_jkn_mean", svymean(~api00 + sw, jkn))
r <- svyratio(~api00, ~api99, jkn); emit("strat_jkn_ratio", "estimate", coef(r)); emit("strat_jkn_ratio", "se", SE(r))
by_out("strat_jkn_by", svyby(~api00 + sw, ~awards_c, jkn, svymean), c("api00", "sw"))
for (m in ci_methods) emit("strat_jkn_ci", paste0("ci_", m), attr(svyciprop(~sw, jkn, method = m), "ci"))
emit("strat_jkn_ci", "degf", degf(jkn))
set.seed(20240501)
boot <- as.svrepdesign(dclus1, type = "bootstrap", replicates = 50)
write.csv(weights(boot, "analysis"), file.path(data_dir, "apiclus1_boot_weights.csv"), row.names = FALSE)
emit("clus1_boot", "scale", boot$scale); emit("clus1_boot", "rscales", boot$rscales)
stat_out("clus1_boot_mean", svymean(~api00 + sw, boot))
stat_out("clus1_boot_total", svytotal(~enroll, boot, deff = TRUE))
by_out("clus1_boot_by", svyby(~api00 + sw, ~stype, boot, svymean), c("api00", "sw"))
boot_mse <- svrepdesign(data = apiclus1, repweights = weights(boot, "analysis"), weights = ~pw, type = "bootstrap",
                        combined.weights = TRUE, mse = TRUE)
stat_out("clus1_boot_mse_mean", svymean(~api00 + sw, boot_mse))

# calibration on apiclus1 (Lumley's examples)
pop_types <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))
dps <- postStratify(dclus1, ~stype, pop_types)
stat_out("clus1_ps_mean", svymean(~api00 + sw, dps, deff = TRUE))
stat_out("clus1_ps_total", svytotal(~enroll, dps))
by_out("clus1_ps_by", svyby(~api00 + sw, ~sch_wide, dps, svymean), c("api00", "sw"))
emit("clus1_ps", "weights", weights(dps))
pop_lin <- c(`(Intercept)` = 6194, stypeH = 755, stypeM = 1018, api99 = 3914069)
dlin <- calibrate(dclus1, ~stype + api99, pop_lin)
stat_out("clus1_lin_mean", svymean(~api00 + sw, dlin, deff = TRUE))
stat_out("clus1_lin_total", svytotal(~enroll, dlin))
by_out("clus1_lin_by", svyby(~api00 + sw, ~sch_wide, dlin, svymean), c("api00", "sw"))
emit("clus1_lin", "weights", weights(dlin))
dlinb <- calibrate(dclus1, ~stype + api99, pop_lin, bounds = c(0.6, 1.6))
stat_out("clus1_linb_mean", svymean(~api00 + sw, dlinb))
emit("clus1_linb", "weights", weights(dlinb))
pop_rake <- c(`(Intercept)` = 6194, stypeH = 755, stypeM = 1018, sch_wideYes = 5100)
drk <- calibrate(dclus1, ~stype + sch_wide, pop_rake, calfun = "raking")
stat_out("clus1_rake_mean", svymean(~api00 + sw + aw, drk, deff = TRUE))
stat_out("clus1_rake_total", svytotal(~enroll, drk))
by_out("clus1_rake_by", svyby(~api00 + aw, ~awards_c, drk, svymean, deff = TRUE), c("api00", "aw"))
emit("clus1_rake", "weights", weights(drk))
ciprop_out("clus1_rake_ci", ~aw, drk)
by_ciprop_out("clus1_rake_by_ci", ~aw, ~stype, drk)
drkb <- calibrate(dclus1, ~stype + sch_wide, pop_rake, calfun = "raking", bounds = c(0.7, 1.6))
stat_out("clus1_rakeb_mean", svymean(~api00 + aw, drkb))
emit("clus1_rakeb", "weights", weights(drkb))
dchain <- calibrate(dps, ~api99, c(`(Intercept)` = 6194, api99 = 3914069))
stat_out("clus1_chain_mean", svymean(~api00 + sw, dchain))
by_out("clus1_chain_by", svyby(~api00, ~sch_wide, dchain, svymean), "api00")
drake_ipf <- rake(dclus1, list(~stype, ~sch_wide),
                  list(pop_types, data.frame(sch_wide = c("No", "Yes"), Freq = c(6194 - 5100, 5100))),
                  control = list(maxit = 200, epsilon = 1e-13))
emit("clus1_ipf", "weights", weights(drake_ipf))

# two-stage design with fpc at both stages
dclus2 <- svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2)
stat_out("clus2_mean", svymean(~api00 + sw, dclus2, deff = TRUE))
stat_out("clus2_total", svytotal(~api00, dclus2))
by_out("clus2_by", svyby(~api00 + sw, ~stype, dclus2, svymean), c("api00", "sw"))
emit("clus2_degf", "degf", degf(dclus2))

# Sarndal, Swensson & Wretman (1992) two-stage MU284 example
data(mu284)
save_data(mu284, "mu284")
dmu <- svydesign(id = ~id1 + id2, fpc = ~n1 + n2, data = mu284)
stat_out("mu284_total", svytotal(~y1, dmu))
stat_out("mu284_mean", svymean(~y1, dmu))

# ---------------------------------------------------------------- NHANES (two PSUs per stratum)
data(nhanes)
nh <- nhanes[complete.cases(nhanes), ]
nh$agecat <- as.character(nh$agecat)
save_data(nh, "nhanes")
dnh <- svydesign(id = ~SDMVPSU, strata = ~SDMVSTRA, weights = ~WTMEC2YR, nest = TRUE, data = nh)
stat_out("nh_mean", svymean(~HI_CHOL, dnh, deff = TRUE))
ciprop_out("nh_ci", ~HI_CHOL, dnh)
by_out("nh_by_age", svyby(~HI_CHOL, ~agecat, dnh, svymean, deff = TRUE), "HI_CHOL")
by_out("nh_by_cross", svyby(~HI_CHOL, ~race + RIAGENDR, dnh, svymean, deff = TRUE), "HI_CHOL")
by_ciprop_out("nh_by_ci", ~HI_CHOL, ~agecat, dnh)
two <- names(which(tapply(nh$SDMVPSU, nh$SDMVSTRA, function(p) length(unique(p))) == 2))
nhb <- nh[nh$SDMVSTRA %in% two, ]
save_data(nhb, "nhanes_brr")
dnhb <- svydesign(id = ~SDMVPSU, strata = ~SDMVSTRA, weights = ~WTMEC2YR, nest = TRUE, data = nhb)
H <- survey:::hadamard(length(unique(nhb$SDMVSTRA)))
write.csv(H, file.path(data_dir, "nhanes_hadamard.csv"), row.names = FALSE)
brr <- as.svrepdesign(dnhb, type = "BRR")
stat_out("nh_brr_mean", svymean(~HI_CHOL, brr))
by_out("nh_brr_by", svyby(~HI_CHOL, ~agecat, brr, svymean), "HI_CHOL")
fay <- as.svrepdesign(dnhb, type = "Fay", fay.rho = 0.3)
stat_out("nh_fay_mean", svymean(~HI_CHOL, fay))
stat_out("nh_fay_total", svytotal(~HI_CHOL, fay))
by_out("nh_fay_by", svyby(~HI_CHOL, ~agecat, fay, svymean), "HI_CHOL")
nhjkn <- as.svrepdesign(dnh, type = "JKn")
stat_out("nh_jkn_mean", svymean(~HI_CHOL, nhjkn))
# raking to three margins (age, sex, race) with totals 3% above the weighted sample
tot <- function(v) { t <- tapply(nh$WTMEC2YR, nh[[v]], sum) * 1.03; t }
ta <- tot("agecat"); ts <- tot("RIAGENDR"); tr <- tot("race")
pop_nh <- c(sum(ta), ta[-1], ts[-1] * 0.98 + 0.02 * sum(ts) / 2, tr[-1])
names(pop_nh) <- c("(Intercept)", paste0("agecat", names(ta)[-1]), "RIAGENDR2", paste0("race", names(tr)[-1]))
nh$RIAGENDR <- factor(nh$RIAGENDR); nh$race <- factor(nh$race)
dnh2 <- svydesign(id = ~SDMVPSU, strata = ~SDMVSTRA, weights = ~WTMEC2YR, nest = TRUE, data = nh)
emit("nh_rake", "population", pop_nh)
drnh <- calibrate(dnh2, ~agecat + RIAGENDR + race, pop_nh, calfun = "raking")
stat_out("nh_rake_mean", svymean(~HI_CHOL, drnh, deff = TRUE))
by_out("nh_rake_by", svyby(~HI_CHOL, ~agecat, drnh, svymean, deff = TRUE), "HI_CHOL")
emit("nh_rake", "weights", weights(drnh))

# ---------------------------------------------------------------- lonely PSUs (generated)
set.seed(42)
npsu <- c(1, 2, 3, 1, 4, 2, 1, 3, 2, 5, 2, 3)
gen <- do.call(rbind, lapply(seq_along(npsu), function(h) {
  do.call(rbind, lapply(seq_len(npsu[h]), function(j) {
    m <- sample(3:7, 1)
    data.frame(stratum = h, psu = j, w = round(runif(m, 5, 40), 2), y = round(rnorm(m, 50 + h, 10), 3),
               b = rbinom(m, 1, 0.3 + 0.03 * h), dom = sample(c("a", "b", "c"), m, replace = TRUE,
                                                                prob = c(0.6, 0.3, 0.1)))
  }))
}))
gen$N <- npsu[gen$stratum] * 3 + gen$stratum %% 2
save_data(gen, "lonely")
for (fpc in c(FALSE, TRUE)) for (rule in c("remove", "certainty", "adjust", "average")) for (adl in c(FALSE, TRUE)) {
  options(survey.lonely.psu = rule, survey.adjust.domain.lonely = adl)
  d <- if (fpc) svydesign(id = ~psu, strata = ~stratum, weights = ~w, fpc = ~N, nest = TRUE, data = gen) else
         svydesign(id = ~psu, strata = ~stratum, weights = ~w, nest = TRUE, data = gen)
  case <- sprintf("lonely_%s_%s_%s", rule, if (adl) "adl" else "noadl", if (fpc) "fpc" else "nofpc")
  stat_out(paste0(case, "_mean"), svymean(~y + b, d))
  stat_out(paste0(case, "_total"), svytotal(~y + b, d))
  by_out(paste0(case, "_by"), svyby(~y + b, ~dom, d, svymean), c("y", "b"))
  if (!adl) {
    jk <- as.svrepdesign(d, type = "JKn")
    stat_out(paste0(case, "_jkn"), svymean(~y + b, jk))
  }
}
options(survey.lonely.psu = "fail", survey.adjust.domain.lonely = FALSE)

# ---------------------------------------------------------------- Kalton & Flores-Cervantes (2003)
ab <- expand.grid(a = factor(1:4), b = factor(1:3))
ks <- ab[rep(1:12, c(20, 50, 100, 30, 40, 140, 50, 100, 40, 310, 50, 70)), ]
kp <- ab[rep(1:12, c(80, 60, 170, 55, 40, 150, 60, 165, 55, 340, 200, 125)), ]
dk <- svydesign(id = ~1, data = ks, weights = rep(1, nrow(ks)))
emit("kalton", "ps", weights(postStratify(dk, ~a + b, xtabs(~a + b, kp))))
emit("kalton", "rake", weights(calibrate(dk, ~a + b, colSums(model.matrix(~a + b, kp)), calfun = "raking")))
emit("kalton", "linear", weights(calibrate(dk, ~a + b, colSums(model.matrix(~a + b, kp)))))
emit("kalton", "trunc", weights(calibrate(dk, ~a + b, colSums(model.matrix(~a + b, kp)), bounds = c(0.5, 2.2))))
ks$an <- as.numeric(ks$a); ks$bn <- as.numeric(ks$b)
save_data(data.frame(a = as.integer(ks$a), b = as.integer(ks$b)), "kalton_sample")
emit("kalton", "pop_ab", as.vector(xtabs(~a + b, kp)))

# ---------------------------------------------------------------- Fay-Herriot (own Fisher scoring)
set.seed(7)
m <- 30
fh <- data.frame(x1 = round(runif(m, 0, 1), 4), D = round(runif(m, 0.002, 0.02), 6))
fh$y <- round(0.3 + 0.4 * fh$x1 + rnorm(m, 0, 0.12) + rnorm(m, 0, sqrt(fh$D)), 6)
fh$n <- sample(15:200, m, replace = TRUE)
save_data(fh, "fayherriot")
fit_fh <- function(y, X, D, method, tol = 1e-13, maxit = 200) {
  A <- median(D); k <- 0; diff <- tol + 1
  while (diff > tol && k < maxit) {
    k <- k + 1
    Vi <- 1 / (A + D); Q <- solve(t(X * Vi) %*% X)
    P <- diag(Vi) - (X * Vi) %*% Q %*% t(X * Vi)
    if (method == "REML") { s <- -0.5 * sum(diag(P)) + 0.5 * sum((P %*% y)^2); F <- 0.5 * sum(P * t(P)) }
    else { r <- y - X %*% (Q %*% t(X * Vi) %*% y); s <- -0.5 * sum(Vi) + 0.5 * sum((Vi * r)^2); F <- 0.5 * sum(Vi^2) }
    An <- A + s / F; diff <- abs((An - A) / A); A <- An
  }
  A <- max(A, 0); Vi <- 1 / (A + D); Q <- solve(t(X * Vi) %*% X); beta <- Q %*% t(X * Vi) %*% y
  eb <- X %*% beta + A * Vi * (y - X %*% beta); B <- D / (A + D)
  g1 <- D * (1 - B); g2 <- B^2 * rowSums((X %*% Q) * X); g3 <- B^2 * (2 / sum(Vi^2)) / (A + D)
  mse <- g1 + g2 + 2 * g3
  if (method == "ML") mse <- mse + B^2 * sum(diag(Q %*% t(X * Vi^2) %*% X)) / sum(Vi^2)
  list(A = A, beta = beta, eb = eb, mse = mse)
}
X <- cbind(1, fh$x1)
for (meth in c("REML", "ML")) {
  f <- fit_fh(fh$y, X, fh$D, meth)
  emit(paste0("fh_", meth), "sigma2", f$A); emit(paste0("fh_", meth), "beta", f$beta)
  emit(paste0("fh_", meth), "estimate", f$eb); emit(paste0("fh_", meth), "mse", f$mse)
}

# ---------------------------------------------------------------- CLI survey (generated)
set.seed(99)
nstr <- 6
cli <- do.call(rbind, lapply(1:nstr, function(h) do.call(rbind, lapply(1:3, function(j) {
  m <- 12
  data.frame(stratum = h, village = j, district = sample(c("d1", "d2", "d3"), m, TRUE),
             sex = sample(c("F", "M"), m, TRUE), ageband = sample(c("18-39", "40-59", "60+"), m, TRUE),
             weight = round(runif(m, 50, 150), 1), q1 = rbinom(m, 1, 0.4), q2 = rbinom(m, 1, 0.7),
             score = round(rnorm(m, 60, 12), 1))
}))))
save_data(cli, "cli_survey")
dcli <- svydesign(id = ~village, strata = ~stratum, weights = ~weight, nest = TRUE, data = cli)
cli_out <- function(case, d) {
  s <- svymean(~q1 + q2 + score, d, deff = TRUE)
  stat_out(paste0(case, "_all"), s)
  emit(paste0(case, "_all"), "ci_q1", attr(svyciprop(~q1, d, method = "beta"), "ci"))
  emit(paste0(case, "_all"), "ci_q2", attr(svyciprop(~q2, d, method = "beta"), "ci"))
  emit(paste0(case, "_all"), "ci_score", confint(svymean(~score, d), df = degf(d))[1, ])
  for (v in c("q1", "q2")) {
    emit(paste0(case, "_all"), paste0("logit_", v), attr(svyciprop(as.formula(paste0("~", v)), d, method = "logit"), "ci"))
    lb <- svyby(as.formula(paste0("~", v)), ~district, d, svyciprop, vartype = "ci", method = "logit")
    emit(paste0(case, "_by"), paste0("logit_", v), cbind(lb$ci_l, lb$ci_u))
  }
  b <- svyby(~q1 + q2 + score, ~district, d, svymean, deff = TRUE)
  by_out(paste0(case, "_by"), b, c("q1", "q2", "score"))
  for (v in c("q1", "q2")) {
    cb <- svyby(as.formula(paste0("~", v)), ~district, d, svyciprop, vartype = "ci", method = "beta")
    emit(paste0(case, "_by"), paste0("ci_", v), cbind(cb$ci_l, cb$ci_u))
  }
  cs <- svyby(~score, ~district, d, svymean)
  dfs <- sapply(sort(unique(cli$district)), function(l) degf(subset(d, district == l)))
  emit(paste0(case, "_by"), "ci_score", cbind(coef(cs) - qt(0.975, dfs) * SE(cs), coef(cs) + qt(0.975, dfs) * SE(cs)))
}
cli_out("cli_plain", dcli)
cli_pop <- list(sex = c(F = 1100, M = 1000), ageband = c(`18-39` = 800, `40-59` = 750, `60+` = 550),
                district = c(d1 = 700, d2 = 650, d3 = 750))
pop_cli <- c(`(Intercept)` = 2100, sexM = 1000, `ageband40-59` = 750, `ageband60+` = 550, districtd2 = 650, districtd3 = 750)
cli_out("cli_rake", calibrate(dcli, ~sex + ageband + district, pop_cli, calfun = "raking"))

# ---------------------------------------------------------------- raking converged tightly (epsilon = 1e-12)
# kepu's calibrate() iterates to machine precision by default; these must agree to 12 digits.
drk12 <- calibrate(dclus1, ~stype + sch_wide, pop_rake, calfun = "raking", epsilon = 1e-12)
emit("clus1_rake12", "weights", weights(drk12))
stat_out("clus1_rake12_mean", svymean(~api00 + sw + aw, drk12))
drnh12 <- calibrate(dnh2, ~agecat + RIAGENDR + race, pop_nh, calfun = "raking", epsilon = 1e-12)
emit("nh_rake12", "weights", weights(drnh12))
stat_out("nh_rake12_mean", svymean(~HI_CHOL, drnh12))



ref <- do.call(rbind, rows)
write.csv(ref, file.path(out_dir, "reference.csv"), row.names = FALSE, quote = FALSE)
cat("wrote", nrow(ref), "reference values\n")
