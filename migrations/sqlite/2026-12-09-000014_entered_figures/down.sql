DROP TABLE entered_figures;
