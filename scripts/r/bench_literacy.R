# R side of bench/literacy_vs_r.py: the literacy monitoring job with the survey package.
# Usage: Rscript scripts/r/bench_literacy.R DATA.csv CONTROLS.csv OUT.csv TIMING.txt
suppressPackageStartupMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
t0 <- proc.time()[["elapsed"]]
d <- read.csv(args[1], stringsAsFactors = FALSE)
items <- c(sprintf("i%02d", 1:50), "literate")
des <- svydesign(id = ~psu, strata = ~stratum, weights = ~w, nest = TRUE, data = d)
f <- as.formula(paste("~", paste(items, collapse = "+")))
collect <- function(stage, design) {
  m <- svymean(f, design)
  b <- svyby(f, ~district, design, svymean)
  rbind(data.frame(stage = stage, domain = "", variable = items, estimate = coef(m), se = SE(m)),
        data.frame(stage = stage, domain = rep(as.character(b$district), length(items)),
                   variable = rep(items, each = nrow(b)), estimate = as.vector(as.matrix(b[, items])),
                   se = as.vector(as.matrix(SE(b)))))
}
plain <- collect("plain", des)
ctl <- read.csv(args[2], stringsAsFactors = FALSE, colClasses = c("character", "character", "numeric"))
pop <- c(`(Intercept)` = sum(ctl$total[ctl$margin == "sex"]))
for (mg in c("sex", "ageband", "district")) {
  part <- ctl[ctl$margin == mg, ]
  part <- part[order(part$level), ]
  v <- part$total[-1]; names(v) <- paste0(mg, part$level[-1]); pop <- c(pop, v)
}
cal <- calibrate(des, ~sex + ageband + district, pop, calfun = "raking", epsilon = 1e-12)
raked <- collect("raked", cal)
t1 <- proc.time()[["elapsed"]]
res <- rbind(plain, raked)
res$estimate <- sprintf("%.17g", res$estimate); res$se <- sprintf("%.17g", res$se)
write.csv(res, args[3], row.names = FALSE)
hwm <- grep("^VmHWM", readLines("/proc/self/status"), value = TRUE)
writeLines(c(sprintf("seconds %.6f", t1 - t0), sprintf("vmhwm_kb %s", gsub("[^0-9]", "", hwm))), args[4])
