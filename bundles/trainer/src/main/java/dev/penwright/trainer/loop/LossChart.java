package dev.penwright.trainer.loop;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The loss curve of a run as a PNG (JFreeChart, drawn off-screen; needs no display). */
public final class LossChart {
    private LossChart() {
    }

    /** One named training curve and its validation points. */
    public record Curve(String name, History history) {
    }

    public static void write(Path png, String title, List<Curve> curves) throws IOException {
        if (System.getProperty("java.awt.headless") == null) {
            // No window is ever opened; without this AWT may look for a display it does not need.
            System.setProperty("java.awt.headless", "true");
        }
        XYSeriesCollection data = new XYSeriesCollection();
        int offset = 0;
        for (Curve c : curves) {
            XYSeries train = new XYSeries(c.name() + " train", false, true);
            for (History.StepPoint p : c.history().steps) {
                train.add(offset + p.step(), p.loss());
            }
            XYSeries val = new XYSeries(c.name() + " validation", false, true);
            for (History.EvalPoint p : c.history().evals) {
                val.add(offset + p.step(), p.loss());
            }
            data.addSeries(train);
            if (!val.isEmpty()) {
                data.addSeries(val);
            }
            offset += c.history().steps.isEmpty() ? 0 : c.history().steps.get(c.history().steps.size() - 1).step();
        }
        NumberAxis x = new NumberAxis("optimiser step (phases one after another)");
        NumberAxis y = new NumberAxis("loss (nats per token; DPO: sigmoid loss)");
        y.setAutoRangeIncludesZero(false);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            boolean validation = data.getSeriesKey(i).toString().endsWith("validation");
            renderer.setSeriesShapesVisible(i, validation);
            renderer.setSeriesStroke(i, new BasicStroke(validation ? 2f : 1f));
        }
        XYPlot plot = new XYPlot(data, x, y, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        Files.createDirectories(png.toAbsolutePath().getParent());
        ChartUtils.saveChartAsPNG(png.toFile(), chart, 900, 500);
    }
}
